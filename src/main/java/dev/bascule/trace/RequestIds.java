package dev.bascule.trace;

/**
 * What an {@code X-Request-Id} may hold, and how Bascule makes one. A valid id is 1 to {@value #MAX_LENGTH}
 * characters of {@code A-Z a-z 0-9 . _ : -}: enough for UUIDs, hex ids and the prefixed ids of other proxies and
 * platforms, and nothing that needs quoting or escaping, so it can be written as is into a header, an access-log
 * line (plain or JSON) and a span; no space, comma, quote, control character or non-ASCII byte that could split a
 * log line or a header list. Anything else is replaced rather than repaired.
 *
 * <p>A new id is 128 random bits as 32 lowercase hex digits, the form of a W3C trace id.
 *
 * <p>Stateless.
 */
public final class RequestIds {
    public static final int MAX_LENGTH = 128;
    /** Length of an id Bascule makes. */
    public static final int LENGTH = 32;

    private RequestIds() {}

    public static boolean isValid(CharSequence id) {
        int length = id.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Writes the id made of {@code high} and {@code low}, {@link #LENGTH} ASCII bytes, at the start of {@code dst}. */
    public static void write(byte[] dst, long high, long low) {
        Hex.write(high, dst, 0);
        Hex.write(low, dst, 16);
    }
}
