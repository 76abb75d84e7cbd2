package dev.bascule.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * The admin API's bearer token (RFC 6750): the first line of {@code admin.token_file}, read whenever a config is
 * put in force, so that a reload picks up a new token and refuses a file that cannot be used.
 *
 * <p>The token never leaves this object: {@link #toString} hides it and errors never quote the file, so it
 * cannot end up in a log or an API answer.
 *
 * <p>Immutable; {@link #matches} may be called from any thread.
 */
public final class AdminToken {
    /** A token is a few dozen characters; a longer first line is the wrong file (or {@code /dev/zero}). */
    static final int MAX_LENGTH = 4096;

    private final byte[] token;

    private AdminToken(byte[] token) {
        this.token = token;
    }

    /**
     * Reads the token the config names.
     *
     * @return null when the config has no admin API or no {@code token_file}
     * @throws ConfigException when the file cannot be read, or its first line is empty or no bearer token, located
     *     at the {@code token_file} key
     */
    public static AdminToken read(BasculeConfig config) throws ConfigException {
        TokenFile file = config.admin() == null ? null : config.admin().tokenFile();
        if (file == null) {
            return null;
        }
        try {
            return new AdminToken(firstLine(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(new ConfigError(config.source(), file.line(), file.column(),
                    "token_file " + file.path() + ": " + e.getMessage())));
        }
    }

    /** Reads no further than the first line, and no further than {@link #MAX_LENGTH} bytes into it. */
    private static byte[] firstLine(TokenFile file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file.path())) {
            head = in.readNBytes(MAX_LENGTH + 2); // room for a full-length token and its CR LF
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read it: " + ConfigLoader.describe(e));
        }
        int end = 0;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        int start = 0;
        while (start < end && isBlank(head[start])) {
            start++;
        }
        while (end > start && isBlank(head[end - 1])) { // a CR from a file written on Windows, trailing spaces
            end--;
        }
        if (end - start > MAX_LENGTH) {
            throw new IllegalArgumentException("its first line is longer than " + MAX_LENGTH
                    + " bytes; it should hold the token alone");
        }
        if (start == end) {
            throw new IllegalArgumentException("its first line is empty; it must hold the token");
        }
        byte[] token = Arrays.copyOfRange(head, start, end);
        if (!isBearerToken(token)) {
            // The characters are not quoted: a message must never carry a piece of the secret.
            throw new IllegalArgumentException("its first line is not a bearer token: RFC 6750 §2.1 allows letters,"
                    + " digits and - . _ ~ + / then trailing =");
        }
        return token;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    /** RFC 6750 §2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    static boolean isBearerToken(byte[] token) {
        int i = 0;
        while (i < token.length && isTokenChar(token[i])) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < token.length && token[i] == '=') {
            i++;
        }
        return i == token.length;
    }

    private static boolean isTokenChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /**
     * Whether {@code presented} is this token, in time that depends on the token's length only: {@link
     * MessageDigest#isEqual} looks at every byte of its first argument whatever the second holds, so neither a
     * prefix nor the length of the token leaks through the time a refusal takes.
     */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public String toString() {
        return "AdminToken[hidden]";
    }
}
