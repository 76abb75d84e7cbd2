package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.route.AddressRanges;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
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
    private final String peerIp;
    private final byte[] peerBytes;
    private String ip;
    private byte[] bytes;
    private boolean peerTrusted;

    ClientAddress(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            peerIp = isa.getAddress().getHostAddress();
            peerBytes = isa.getAddress().getAddress();
        } else {
            peerIp = String.valueOf(remote);
            peerBytes = new byte[0];
        }
        ip = peerIp;
        bytes = peerBytes;
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
