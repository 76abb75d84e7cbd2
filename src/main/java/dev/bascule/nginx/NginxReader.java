package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads nginx's config syntax into {@link Directive}s, as nginx's own reader does ({@code ngx_conf_read_token}
 * in {@code src/core/ngx_conf_file.c}): words separated by whitespace; {@code ;} ends a directive, {@code {}
 * opens its block and {@code }} closes it; {@code #} at the start of a word comments out the rest of the line;
 * a word may be quoted with {@code "} or {@code '}, inside which whitespace, {@code ;} and braces are plain; a
 * backslash makes the next character plain, and {@code \"}, {@code \'}, {@code \\}, {@code \t}, {@code \r},
 * {@code \n} are decoded (other {@code \x} stay as written, as nginx keeps {@code \d} for regular
 * expressions). {@code ${name}} is one word, braces included.
 *
 * <p>Not thread-safe: one instance reads one text.
 */
final class NginxReader {
    private final String text;
    private int pos;
    private int line = 1;

    private NginxReader(String text) {
        this.text = text;
    }

    /** The top-level directives of {@code text}. */
    static List<Directive> read(String text) throws NginxSyntaxException {
        NginxReader r = new NginxReader(text.startsWith("\uFEFF") ? text.substring(1) : text);
        List<Directive> top = r.directives(false);
        return top;
    }

    /** The directives up to the end of the text (top level) or to the {@code }} that closes the block. */
    private List<Directive> directives(boolean inBlock) throws NginxSyntaxException {
        List<Directive> list = new ArrayList<>();
        List<String> words = new ArrayList<>();
        int startLine = 0;
        for (;;) {
            skipSpaceAndComments();
            if (pos >= text.length()) {
                if (!words.isEmpty()) {
                    throw new NginxSyntaxException(line, "unexpected end of file, expecting ';' or '}' after '"
                            + String.join(" ", words) + "'");
                }
                if (inBlock) {
                    throw new NginxSyntaxException(line, "unexpected end of file, expecting '}'");
                }
                return list;
            }
            char c = text.charAt(pos);
            if (c == ';' || c == '{') {
                pos++;
                if (words.isEmpty()) {
                    throw new NginxSyntaxException(line, "unexpected '" + c + "'");
                }
                int at = startLine;
                String name = words.get(0);
                List<String> args = List.copyOf(words.subList(1, words.size()));
                words.clear();
                list.add(new Directive(name, args, at, c == '{' ? directives(true) : null));
                continue;
            }
            if (c == '}') {
                pos++;
                if (!words.isEmpty()) {
                    throw new NginxSyntaxException(line, "unexpected '}' after '" + String.join(" ", words)
                            + "': a directive ends with ';'");
                }
                if (!inBlock) {
                    throw new NginxSyntaxException(line, "unexpected '}'");
                }
                return list;
            }
            if (words.isEmpty()) {
                startLine = line;
            }
            words.add(word());
        }
    }

    private void skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    /** One word, quoted or not, at {@code pos} (which is not whitespace, a comment or ; { }). */
    private String word() throws NginxSyntaxException {
        char first = text.charAt(pos);
        if (first == '"' || first == '\'') {
            return quoted(first);
        }
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {
                break;
            }
            if (c == '{' && !(sb.length() > 0 && sb.charAt(sb.length() - 1) == '$')) {
                break;
            }
            if (c == '{') { // ${name}: the braces belong to the variable
                int close = text.indexOf('}', pos);
                if (close < 0) {
                    throw new NginxSyntaxException(line, "unclosed variable '${'");
                }
                sb.append(text, pos, close + 1);
                pos = close + 1;
                continue;
            }
            if (c == '}') {
                break;
            }
            if (c == '\\' && pos + 1 < text.length()) {
                escape(sb, text.charAt(pos + 1));
                pos += 2;
                continue;
            }
            sb.append(c);
            pos++;
        }
        return sb.toString();
    }

    /** A word in quotes; the closing quote must be followed by whitespace, ';', '{' or '}' (as nginx requires). */
    private String quoted(char quote) throws NginxSyntaxException {
        int startLine = line;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                if (pos < text.length() && " \t\r\n;{}".indexOf(text.charAt(pos)) < 0) {
                    throw new NginxSyntaxException(line, "unexpected '" + text.charAt(pos) + "' after the quoted"
                            + " string " + quote + sb + quote);
                }
                return sb.toString();
            }
            if (c == '\\' && pos + 1 < text.length()) {
                char next = text.charAt(pos + 1);
                if (next == '\n') {
                    line++;
                }
                escape(sb, next);
                pos += 2;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            sb.append(c);
            pos++;
        }
        throw new NginxSyntaxException(startLine, "unexpected end of file in a string started with " + quote);
    }

    /** nginx decodes these escapes and keeps any other backslash, for the regular expressions that need it. */
    private static void escape(StringBuilder sb, char next) {
        switch (next) {
            case '"', '\'', '\\' -> sb.append(next);
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'n' -> sb.append('\n');
            default -> sb.append('\\').append(next);
        }
    }
}
