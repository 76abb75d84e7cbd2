package dev.bascule.http1;

import io.netty.buffer.ByteBuf;

/**
 * The size line of one chunk (RFC 9112 7.1): {@code chunk-size [ chunk-ext ] CRLF}, read as strictly as Netty's
 * decoder reads it, so a chunked body is framed the same way by Bascule and by any origin behind it. The size is
 * hexadecimal and at most {@code Integer.MAX_VALUE}; spaces or tabs after it are the "bad whitespace" RFC 9112
 * 7.1.1 tolerates, but only before a {@code ;}; an extension is {@code ;name[=token|quoted-string]} with OWS
 * around the separators, and its bytes are checked (tokens, quoted-pairs, no control characters) though its
 * meaning is ignored, as RFC 9112 7.1.1 allows.
 *
 * <p>Threading: stateless.
 */
final class ChunkLine {
    /** What {@link #size} returns for a line that is not a valid chunk size line. */
    static final long INVALID = -1;

    private static final int SIZE = 0;
    private static final int NAME = 1;
    private static final int VALUE_START = 2;
    private static final int QUOTED = 3;
    private static final int ESCAPE = 4;
    private static final int QUOTED_END = 5;
    private static final int TOKEN = 6;

    /** Bytes 0x21-0x7E that are delimiters (RFC 9110 5.6.2), less {@code "} and {@code ;}. */
    private static final String SEPARATORS = "(),/:<=>?@[\\]{}";

    private ChunkLine() {
    }

    /**
     * @param from where the line starts in {@code buf}
     * @param length the line's length, its CRLF excluded
     * @return the chunk's size, or {@link #INVALID}
     */
    static long size(ByteBuf buf, int from, int length) {
        if (buf.indexOf(from, from + length, (byte) ';') >= 0 && !validExtensions(buf, from, length)) {
            return INVALID;
        }
        if (length == 0) {
            return INVALID;
        }
        long size = 0;
        for (int i = 0; i < length; i++) {
            int b = buf.getByte(from + i);
            int digit = hex(b);
            if (digit < 0) {
                // Bad whitespace may only come before extensions.
                int j = i;
                while (b == ' ' || b == '\t') {
                    if (++j >= length) {
                        return INVALID;
                    }
                    b = buf.getByte(from + j);
                }
                return b == ';' && i > 0 ? size : INVALID;
            }
            size = size * 16 + digit;
            if (size > Integer.MAX_VALUE) {
                return INVALID;
            }
        }
        return size;
    }

    private static int hex(int b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static boolean visible(int b) {
        return b >= 0x21 && b <= 0x7e;
    }

    private static boolean separator(int b) {
        return SEPARATORS.indexOf(b) >= 0;
    }

    /**
     * The whole line's shape once it has extensions: the states of Netty's {@code
     * HttpChunkLineValidatingByteProcessor}. No byte above 0x7F is accepted anywhere (Netty's refuses them too).
     */
    private static boolean validExtensions(ByteBuf buf, int from, int length) {
        int state = SIZE;
        for (int i = 0; i < length; i++) {
            int b = buf.getByte(from + i);
            if (b < 0) {
                return false;
            }
            boolean space = b == ' ' || b == '\t';
            switch (state) {
                case SIZE:
                    if (b == ';') {
                        state = NAME;
                    } else if (hex(b) < 0 && !space) {
                        return false;
                    }
                    break;
                case NAME:
                    if (b == '=') {
                        state = VALUE_START;
                    } else if (!space && !(visible(b) && !separator(b))) {
                        return false;
                    }
                    break;
                case VALUE_START:
                    if (b == '"') {
                        state = QUOTED;
                    } else if (visible(b) && !separator(b)) {
                        state = TOKEN;
                    } else if (!space) {
                        return false;
                    }
                    break;
                case QUOTED:
                    if (b == '\\') {
                        state = ESCAPE;
                    } else if (b == '"') {
                        state = QUOTED_END;
                    } else if (!space && !visible(b)) {
                        return false;
                    }
                    break;
                case ESCAPE:
                    if (!space && !visible(b)) {
                        return false;
                    }
                    state = QUOTED;
                    break;
                case QUOTED_END:
                    if (b == ';') {
                        state = NAME;
                    } else if (!space) {
                        return false;
                    }
                    break;
                default: // TOKEN
                    if (b == ';') {
                        state = NAME;
                    } else if (!visible(b) || separator(b)) {
                        return false;
                    }
                    break;
            }
        }
        return state != QUOTED && state != ESCAPE && state != VALUE_START;
    }
}
