package dev.bascule.http1;

import io.netty.handler.codec.http.InvalidChunkExtensionException;

/**
 * The chunk-size line of a chunked body (RFC 9112 7.1): hex digits, then optionally BWS and chunk extensions,
 * which are checked against the grammar (RFC 9112 7.1.1) and otherwise ignored. Accepts and refuses exactly what
 * Netty's decoder does, including refusing any byte above 0x7f in a line with extensions.
 *
 * <p>Threading: stateless.
 */
final class ChunkLine {
    private static final int SIZE = 0;
    private static final int NAME = 1;
    private static final int VALUE_START = 2;
    private static final int QUOTED = 3;
    private static final int QUOTED_ESCAPE = 4;
    private static final int QUOTED_END = 5;
    private static final int TOKEN = 6;

    private ChunkLine() {
    }

    /** The chunk size of the line {@code [from, to)} of {@code w} (CRLF excluded); throws if it is malformed. */
    static int size(ByteWindow w, int from, int to) {
        boolean extensions = false;
        for (int i = from; i < to; i++) {
            if (w.at(i) == ';') {
                extensions = true;
                break;
            }
        }
        if (extensions) {
            checkExtensions(w, from, to);
        }
        int length = to - from;
        if (length == 0) {
            throw new NumberFormatException("Empty chunk size");
        }
        long result = 0;
        for (int i = 0; i < length; i++) {
            int digit = hex(w.at(from + i));
            if (digit < 0) {
                byte b = w.at(from + i);
                int j = 0;
                while (b == ' ' || b == '\t') { // BWS before the extensions
                    int index = i + ++j;
                    if (index >= length) {
                        throw new NumberFormatException("Invalid chunk size; expected extensions");
                    }
                    b = w.at(from + index);
                }
                if (b == ';') {
                    if (i == 0) {
                        throw new NumberFormatException("Empty chunk size");
                    }
                    return (int) result;
                }
                throw new NumberFormatException("Invalid character in chunk size");
            }
            result = result * 16 + digit;
            if (result > Integer.MAX_VALUE) {
                throw new NumberFormatException("Chunk size overflow");
            }
        }
        return (int) result;
    }

    private static int hex(byte b) {
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

    /** RFC 9112 7.1.1: {@code *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )}. */
    private static void checkExtensions(ByteWindow w, int from, int to) {
        int state = SIZE;
        for (int i = from; i < to; i++) {
            byte b = w.at(i);
            if (b < 0) {
                throw new InvalidChunkExtensionException("Invalid chunk extension");
            }
            state = next(state, b);
        }
        if (state == QUOTED || state == QUOTED_ESCAPE || state == VALUE_START) {
            throw new InvalidChunkExtensionException("Invalid chunk extension");
        }
    }

    private static int next(int state, byte b) {
        boolean ws = b == ' ' || b == '\t';
        boolean visible = b >= 0x21 && b <= 0x7e;
        switch (state) {
            case SIZE:
                if (hex(b) >= 0 || ws) {
                    return SIZE;
                }
                if (b == ';') {
                    return NAME;
                }
                throw new NumberFormatException("Invalid chunk size");
            case NAME:
                if (visible && !separator(b) || ws) {
                    return NAME;
                }
                if (b == '=') {
                    return VALUE_START;
                }
                break;
            case VALUE_START:
                if (ws) {
                    return VALUE_START;
                }
                if (b == '"') {
                    return QUOTED;
                }
                if (visible && !separator(b) && b != '"') {
                    return TOKEN;
                }
                break;
            case QUOTED:
                if (b == '\\') {
                    return QUOTED_ESCAPE;
                }
                if (b == '"') {
                    return QUOTED_END;
                }
                if (b == '\t' || b == ' ' || b == '!' || b >= 0x23 && b <= 0x5b || b >= 0x5d && b <= 0x7e) {
                    return QUOTED;
                }
                break;
            case QUOTED_ESCAPE:
                if (ws || visible) {
                    return QUOTED;
                }
                break;
            case QUOTED_END:
                if (ws) {
                    return QUOTED_END;
                }
                if (b == ';') {
                    return NAME;
                }
                break;
            default: // TOKEN
                if (visible && !separator(b) && b != ';') {
                    return TOKEN;
                }
                if (b == ';') {
                    return NAME;
                }
                break;
        }
        throw new InvalidChunkExtensionException("Invalid chunk extension");
    }

    /** The delimiters Netty's extension grammar keeps out of names and tokens. */
    private static boolean separator(byte b) {
        switch (b) {
            case '(': case ')': case ',': case '/': case ':': case '<': case '=': case '>': case '?': case '@':
            case '[': case '\\': case ']': case '{': case '}':
                return true;
            default:
                return false;
        }
    }
}
