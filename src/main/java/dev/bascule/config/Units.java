package dev.bascule.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses the config's durations ({@code 500ms}, {@code 1m30s}), sizes ({@code 8192}, {@code 8k}, {@code 1MiB}) and
 * counts ({@code 100}). Pure.
 */
final class Units {

    static final String DURATION_FORM = "a number with a unit: 500ms, 2s, 1m, 1h, or a combination such as 1m30s";
    static final String SIZE_FORM = "a number of bytes, optionally with k/KiB (x1024) or m/MiB (x1048576), such as 8192 or 8k";

    /** Units of a duration, largest first; a combination must use them in this order, each at most once. */
    private static final String[] DURATION_UNITS = {"h", "m", "s", "ms"};
    private static final long[] DURATION_MILLIS = {3_600_000L, 60_000L, 1_000L, 1L};

    /** Nine digits per part keep the sum far below Long.MAX_VALUE (999999999h is 3.6e15 ms). */
    private static final int MAX_DIGITS = 9;

    private Units() {}

    /**
     * Parses a positive duration such as {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h} or {@code 1m30s}.
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static Duration parseDuration(String text) {
        Duration d = parseDurationOrZero(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("duration '" + text + "' must be greater than zero");
        }
        return d;
    }

    /**
     * Like {@link #parseDuration} but {@code 0s} (any unit) is allowed, for settings where zero means "off".
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static Duration parseDurationOrZero(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration, expected " + DURATION_FORM);
        }
        if (isDigits(text, 0, text.length())) {
            throw new IllegalArgumentException("duration '" + text + "' has no unit; write it as " + DURATION_FORM);
        }
        long millis = 0;
        int nextUnit = 0; // index into DURATION_UNITS of the smallest unit still allowed
        int i = 0;
        while (i < text.length()) {
            int digitsEnd = i;
            while (digitsEnd < text.length() && isAsciiDigit(text.charAt(digitsEnd))) {
                digitsEnd++;
            }
            int unitEnd = digitsEnd;
            while (unitEnd < text.length() && isAsciiLetter(text.charAt(unitEnd))) {
                unitEnd++;
            }
            if (digitsEnd == i || unitEnd == digitsEnd || digitsEnd - i > MAX_DIGITS) {
                throw new IllegalArgumentException("bad duration '" + text + "', expected " + DURATION_FORM);
            }
            int unit = indexOf(DURATION_UNITS, text.substring(digitsEnd, unitEnd));
            if (unit < nextUnit) {
                throw new IllegalArgumentException("bad duration '" + text + "', expected " + DURATION_FORM
                        + (unit < 0 ? "" : " (units largest first, each once)"));
            }
            millis += Long.parseLong(text.substring(i, digitsEnd)) * DURATION_MILLIS[unit];
            nextUnit = unit + 1;
            i = unitEnd;
        }
        return Duration.ofMillis(millis);
    }

    /**
     * Parses a positive byte count: a plain integer, or one with a k/KiB or m/MiB suffix (binary, k = 1024).
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static int parseSize(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty size, expected " + SIZE_FORM);
        }
        int digitsEnd = 0;
        while (digitsEnd < text.length() && isAsciiDigit(text.charAt(digitsEnd))) {
            digitsEnd++;
        }
        if (digitsEnd == 0 || digitsEnd > 10) {
            throw new IllegalArgumentException("bad size '" + text + "', expected " + SIZE_FORM);
        }
        long multiplier = switch (text.substring(digitsEnd).toLowerCase(Locale.ROOT)) {
            case "" -> 1;
            case "k", "kib" -> 1024;
            case "m", "mib" -> 1024 * 1024;
            default -> throw new IllegalArgumentException("bad size '" + text + "', expected " + SIZE_FORM);
        };
        long bytes = Long.parseLong(text.substring(0, digitsEnd)) * multiplier;
        if (bytes <= 0) {
            throw new IllegalArgumentException("size '" + text + "' must be greater than zero");
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size '" + text + "' is too large (at most " + Integer.MAX_VALUE + " bytes)");
        }
        return (int) bytes;
    }

    /**
     * Parses a count written as plain decimal digits: {@code 2.5}, {@code 0x10}, {@code 1e2}, {@code -1} and
     * {@code 1k} are typos here, not numbers.
     *
     * @param key names the setting in the message
     * @param max {@link Integer#MAX_VALUE} for no upper bound
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static int parseInteger(String key, String text, int min, int max) {
        // Ten digits cover Integer.MAX_VALUE; the long keeps a ten-digit value from overflowing before the check.
        long value = text != null && text.length() <= 10 && isDigits(text, 0, text.length()) ? Long.parseLong(text) : -1;
        if (value < min || value > max) {
            String range = max == Integer.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max;
            throw new IllegalArgumentException(key + " must be an integer " + range + ", found '" + text + "'");
        }
        return (int) value;
    }

    private static int indexOf(String[] values, String value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i].equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isAsciiDigit(s.charAt(i))) {
                return false;
            }
        }
        return to > from;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
