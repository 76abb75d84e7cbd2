package dev.bascule.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare address is a range of one.
 *
 * @param network the range's address bytes (4 or 16), with host bits cleared
 * @param prefixLength leading bits that must match
 */
public record Cidr(byte[] network, int prefixLength) {

    /**
     * Parses CIDR notation. Only numeric addresses are accepted: no DNS lookups.
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address range");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        // InetAddress.getByName falls back to a DNS lookup for text it does not take as a literal, so only text
        // it will take as one gets that far: IPv4 octets up to 255, IPv6 starting with a hex digit or ':'
        // (".:" would otherwise be looked up).
        boolean ipv4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(addr.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean ipv6 = addr.indexOf(':') >= 0 && addr.matches("[0-9a-fA-F:][0-9a-fA-F:.]*");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("bad address range '" + text + "', expected like 10.0.0.0/8");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address range '" + text + "', expected like 10.0.0.0/8");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "', expected 0-" + max);
            }
        }
        for (int bit = prefix; bit < max; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new Cidr(bytes, prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
