package dev.bascule.config;

/** What a hashing balancer hashes: the client address, a request header, or a cookie. */
public record HashKeyConfig(Source source, String name) {

    public enum Source { CLIENT_IP, HEADER, COOKIE }

    public static final HashKeyConfig CLIENT_IP = new HashKeyConfig(Source.CLIENT_IP, null);

    /**
     * Parses {@code client_ip}, {@code header:NAME} or {@code cookie:NAME}.
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    public static HashKeyConfig parse(String text) {
        if ("client_ip".equals(text)) {
            return CLIENT_IP;
        }
        if (text != null && text.startsWith("header:") && text.length() > "header:".length()) {
            return new HashKeyConfig(Source.HEADER, text.substring("header:".length()));
        }
        if (text != null && text.startsWith("cookie:") && text.length() > "cookie:".length()) {
            return new HashKeyConfig(Source.COOKIE, text.substring("cookie:".length()));
        }
        throw new IllegalArgumentException(
                "bad hash_key '" + text + "', expected client_ip, header:NAME or cookie:NAME");
    }

    @Override
    public String toString() {
        return switch (source) {
            case CLIENT_IP -> "client_ip";
            case HEADER -> "header:" + name;
            case COOKIE -> "cookie:" + name;
        };
    }
}
