package dev.bascule.config;

import java.time.Duration;
import java.util.Locale;

/** Parses the config's durations ({@code 500ms}, {@code 1m30s}) and sizes ({@code 8192}, {@code 8k}, {@code 1MiB}). Pure. */
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
        if (millis <= 0) {
            throw new IllegalArgumentException("duration '" + text + "' must be greater than zero");
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
