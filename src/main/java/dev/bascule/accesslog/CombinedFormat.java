package dev.bascule.accesslog;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Apache's and nginx's {@code combined} format with the request time appended, as nginx users commonly add
 * {@code $request_time}:
 * <pre>
 * %h - - [%d/%b/%Y:%H:%M:%S %z] "%r" %&gt;s %b "%{Referer}i" "%{User-agent}i" seconds
 * 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.1" 200 2326 "http://e.com/" "curl/8.5" 0.012
 * </pre>
 * The time is when the request ended (as nginx's {@code $time_local}); {@code %b} is the bytes sent to the client,
 * {@code -} for none; a missing value is {@code -}. As nginx does, a byte that could break the line or its quoting
 * ({@code "}, {@code \}, control characters, and everything outside printable ASCII) is written {@code \xHH}:
 * header values arrive as ISO-8859-1, so that is the byte the client sent.
 *
 * <p>Threading: the writer thread's alone.
 */
final class CombinedFormat extends LineFormat {
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ZoneId zone;
    /** {@code dd/MMM/yyyy:HH:mm:ss +hhmm} of {@link #second}. */
    private final char[] time = new char[26];
    private long second = Long.MIN_VALUE;
    private final char[] number = new char[32];

    CombinedFormat(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    void append(Entry e, LineBuffer out) {
        if (e.client == null) {
            out.write('-');
        } else {
            escaped(e.client, out);
        }
        out.ascii(" - - [");
        out.ascii(time, localTime(e.endEpochMillis));
        out.ascii("] \"");
        if (e.method == null) {
            out.write('-'); // a request too malformed to tell its method: nothing of its line is known
        } else {
            escaped(e.method, out);
            out.write(' ');
            quotedOrDash(e.target, out);
            out.write(' ');
            quotedOrDash(e.protocol, out);
        }
        out.ascii("\" ");
        if (e.status == 0) {
            out.write('-');
        } else {
            out.decimal(e.status);
        }
        out.write(' ');
        if (e.bytesOut == 0) {
            out.write('-');
        } else {
            out.decimal(e.bytesOut);
        }
        out.ascii(" \"");
        quotedOrDash(e.referer, out);
        out.ascii("\" \"");
        quotedOrDash(e.userAgent, out);
        out.ascii("\" ");
        out.ascii(number, seconds(e.durationNanos, number));
        out.write('\n');
    }

    private static void quotedOrDash(CharSequence value, LineBuffer out) {
        if (value == null) {
            out.write('-');
        } else {
            escaped(value, out);
        }
    }

    /** Printable ASCII as it is, but for {@code "} and {@code \}; every other byte as {@code \xHH}. */
    private static void escaped(CharSequence value, LineBuffer out) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.write(c);
            } else if (c <= 0xff) {
                hex(c, out);
            } else { // not from a header (those are ISO-8859-1): its UTF-8 bytes
                int cp = Character.codePointAt(value, i);
                if (Character.isSurrogate(c) && cp == c) {
                    out.write('?'); // an unpaired surrogate has no UTF-8 form
                    continue;
                }
                i += Character.charCount(cp) - 1;
                if (cp < 0x800) {
                    hex(0xc0 | cp >> 6, out);
                } else {
                    if (cp < 0x10000) {
                        hex(0xe0 | cp >> 12, out);
                    } else {
                        hex(0xf0 | cp >> 18, out);
                        hex(0x80 | (cp >> 12 & 0x3f), out);
                    }
                    hex(0x80 | (cp >> 6 & 0x3f), out);
                }
                hex(0x80 | (cp & 0x3f), out);
            }
        }
    }

    private static void hex(int b, LineBuffer out) {
        out.write('\\');
        out.write('x');
        out.write(HEX[b >> 4 & 0xf]);
        out.write(HEX[b & 0xf]);
    }

    /** Fills {@link #time} for {@code epochMillis} in {@link #zone}; worked out once a second. */
    private int localTime(long epochMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        if (sec != second) {
            ZoneOffset offset = zone.getRules().getOffset(Instant.ofEpochSecond(sec));
            LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, offset);
            twoDigits(time, 0, t.getDayOfMonth());
            time[2] = '/';
            MONTHS[t.getMonthValue() - 1].getChars(0, 3, time, 3);
            time[6] = '/';
            int year = t.getYear();
            time[7] = (char) ('0' + year / 1000 % 10);
            time[8] = (char) ('0' + year / 100 % 10);
            twoDigits(time, 9, year % 100);
            time[11] = ':';
            twoDigits(time, 12, t.getHour());
            time[14] = ':';
            twoDigits(time, 15, t.getMinute());
            time[17] = ':';
            twoDigits(time, 18, t.getSecond());
            time[20] = ' ';
            int total = offset.getTotalSeconds();
            time[21] = total < 0 ? '-' : '+';
            int abs = Math.abs(total) / 60;
            twoDigits(time, 22, abs / 60);
            twoDigits(time, 24, abs % 60);
            second = sec;
        }
        return time.length;
    }
}
