package dev.bascule.upstream;

/**
 * What a hashing balancer hashes for a pool: the client address, a request header, or a cookie.
 *
 * @param name the header or cookie name; null for {@link Source#CLIENT_IP}
 */
public record AffinityKey(Source source, String name) {

    public enum Source { CLIENT_IP, HEADER, COOKIE }

    public static final AffinityKey CLIENT_IP = new AffinityKey(Source.CLIENT_IP, null);
}
