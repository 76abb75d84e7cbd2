package dev.bascule.testing;

/** Bytes shown in failure messages. Stateless. */
public final class Bytes {
    private Bytes() {}

    /** The bytes as a Java string literal would show them: CR, LF, tab, quotes escaped, the rest as {@code \xNN}. */
    public static String quote(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '"', '\\' -> s.append('\\').append((char) c);
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        s.append(String.format("\\x%02x", c));
                    } else {
                        s.append((char) c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
