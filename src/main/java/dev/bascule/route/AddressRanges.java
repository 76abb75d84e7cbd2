package dev.bascule.route;

import java.net.InetAddress;
import java.util.List;

/**
 * A set of address ranges (CIDR) for the data plane: access rules and trusted proxies.
 *
 * <p>Immutable and thread-safe; {@link #contains} allocates nothing.
 */
public final class AddressRanges {
    public static final AddressRanges NONE = new AddressRanges(new byte[0][], new int[0]);

    private final byte[][] networks;
    private final int[] prefixes;

    private AddressRanges(byte[][] networks, int[] prefixes) {
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /** One range: the network's address bytes (4 or 16) and its prefix length. */
    public record Range(byte[] network, int prefixLength) {}

    public static AddressRanges of(List<Range> ranges) {
        if (ranges.isEmpty()) {
            return NONE;
        }
        byte[][] nets = new byte[ranges.size()][];
        int[] prefixes = new int[ranges.size()];
        for (int i = 0; i < nets.length; i++) {
            nets[i] = ranges.get(i).network().clone();
            prefixes[i] = ranges.get(i).prefixLength();
        }
        return new AddressRanges(nets, prefixes);
    }

    public boolean isEmpty() {
        return networks.length == 0;
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    /** @param address 4 or 16 bytes; an IPv4 address never matches an IPv6 range or the reverse */
    public boolean contains(byte[] address) {
        for (int i = 0; i < networks.length; i++) {
            if (matches(networks[i], prefixes[i], address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, int prefix, byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
