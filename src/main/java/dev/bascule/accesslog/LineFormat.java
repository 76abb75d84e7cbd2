package dev.bascule.accesslog;

import java.io.IOException;
import java.time.ZoneId;

/**
 * How one log line is written: {@link #json()} or {@link #combined}. A format keeps caches (the text of the
 * current second) and, for JSON, a generator bound to its buffer.
 *
 * <p>Threading: an instance belongs to the one writer thread of the log it is given to.
 */
public abstract sealed class LineFormat permits JsonFormat, CombinedFormat {

    /** One JSON object a line; see {@link JsonFormat}. */
    public static LineFormat json() {
        return new JsonFormat();
    }

    /**
     * Apache's and nginx's {@code combined} format, plus the request time in seconds; see {@link CombinedFormat}.
     *
     * @param zone the time zone of the time stamps ({@code %z}), the system's as Apache and nginx use
     */
    public static LineFormat combined(ZoneId zone) {
        return new CombinedFormat(zone);
    }

    /** Appends the line of {@code e}, its newline included. */
    abstract void append(Entry e, LineBuffer out) throws IOException;

    /** After {@link #append} failed: drop whatever state the half-written line left. */
    void reset() {}

    /**
     * Writes {@code nanos} as seconds with three decimals, rounded to the millisecond, as nginx's {@code
     * $request_time}: {@code 0.012}.
     *
     * @return the number of characters written into {@code into} (at least 21 long)
     */
    static int seconds(long nanos, char[] into) {
        long millis = nanos <= 0 ? 0 : (nanos + 500_000) / 1_000_000;
        long whole = millis / 1000;
        int frac = (int) (millis % 1000);
        int n = 0;
        if (whole == 0) {
            into[n++] = '0';
        } else {
            int start = n;
            for (long w = whole; w != 0; w /= 10) {
                into[n++] = (char) ('0' + w % 10);
            }
            for (int i = start, j = n - 1; i < j; i++, j--) {
                char t = into[i];
                into[i] = into[j];
                into[j] = t;
            }
        }
        into[n++] = '.';
        into[n++] = (char) ('0' + frac / 100);
        into[n++] = (char) ('0' + frac / 10 % 10);
        into[n++] = (char) ('0' + frac % 10);
        return n;
    }

    /** Writes {@code value} as two digits at {@code at}. */
    static void twoDigits(char[] into, int at, int value) {
        into[at] = (char) ('0' + value / 10);
        into[at + 1] = (char) ('0' + value % 10);
    }
}
