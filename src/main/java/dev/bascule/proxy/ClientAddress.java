package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.route.AddressRanges;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Who a client is: the connection's peer, and for each request the client it speaks for. When the peer is a
 * trusted proxy, that is the last address in X-Forwarded-For that is not itself a trusted proxy; otherwise the
 * peer, whatever the request claims.
 *
 * <p>Threading: one per client connection, confined to its event loop; {@link #resolve} updates it per request.
 */
final class ClientAddress {
    /**
     * The peers whose connections this thread accepted last, a slot per address hash: connections from one address
     * (a load balancer's, a NAT's, a browser's several) share its text and bytes, where each would keep its own
     * copies for its whole life (80 bytes for IPv4). Both are only ever read.
     */
    private static final FastThreadLocal<Peer[]> RECENT_PEERS = new FastThreadLocal<>() {
        @Override
        protected Peer[] initialValue() {
            return new Peer[16];
        }
    };

    private record Peer(InetAddress address, String ip, byte[] bytes) {}

    private final String peerIp;
    /** Shared with other connections from the peer's address: never written. */
    private final byte[] peerBytes;
    private String ip;
    private byte[] bytes;
    private boolean peerTrusted;

    ClientAddress(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            Peer peer = peer(isa.getAddress());
            peerIp = peer.ip();
            peerBytes = peer.bytes();
        } else {
            peerIp = String.valueOf(remote);
            peerBytes = new byte[0];
        }
        ip = peerIp;
        bytes = peerBytes;
    }

    private static Peer peer(InetAddress address) {
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            // Link-local, its text names the interface, which equal addresses need not share: rare, not kept.
            return new Peer(address, address.getHostAddress(), address.getAddress());
        }
        Peer[] recent = RECENT_PEERS.get();
        int slot = address.hashCode() & (recent.length - 1);
        Peer peer = recent[slot];
        if (peer == null || !peer.address().equals(address)) {
            peer = new Peer(address, address.getHostAddress(), address.getAddress());
            recent[slot] = peer;
        }
        return peer;
    }

    /** Works out the client of a request whose headers are {@code headers}. */
    void resolve(HttpHeaders headers, AddressRanges trustedProxies) {
        peerTrusted = trustedProxies.contains(peerBytes);
        forget();
        if (!peerTrusted) {
            return;
        }
        List<String> values = headers.getAll(HeaderRules.X_FORWARDED_FOR);
        for (int v = values.size() - 1; v >= 0; v--) {
            String[] hops = values.get(v).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].trim();
                byte[] hopBytes = NetUtil.createByteArrayFromIpAddressString(hop); // never DNS
                if (hopBytes == null) {
                    return; // garbage in the chain: trust nothing further left of it
                }
                ip = hop;
                bytes = hopBytes;
                if (!trustedProxies.contains(hopBytes)) {
                    return;
                }
            }
        }
    }

    /** Back to the peer: lets go of a client a request's X-Forwarded-For named (its text is the request's). */
    void forget() {
        ip = peerIp;
        bytes = peerBytes;
    }

    /** The peer's address, which X-Forwarded-For gets appended. */
    String peerIp() {
        return peerIp;
    }

    /** Whether the peer is a trusted proxy, whose X-Forwarded-For is kept. */
    boolean peerTrusted() {
        return peerTrusted;
    }

    /** The client of the current request. */
    String ip() {
        return ip;
    }

    /** The client of the current request, as address bytes; read only (the peer's are shared). */
    byte[] bytes() {
        return bytes;
    }

    /**
     * The client of the current request, hashed for affinity; worked out when asked (a hashing balancer or split
     * asks once per request), so that a connection keeps no hash of its own.
     */
    long hash() {
        return AffinityHash.hash64(ip);
    }
}
