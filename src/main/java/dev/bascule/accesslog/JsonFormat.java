package dev.bascule.accesslog;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * One JSON object a line, every key on every line ({@code null} when there is nothing to say), so a reader
 * needs no schema per kind of request:
 * {@code time} (ISO 8601, UTC, milliseconds: when the request ended), {@code client}, {@code method}, {@code
 * host}, {@code uri} (the request target, query included), {@code protocol}, {@code status}, {@code bytes_in},
 * {@code bytes_out}, {@code duration} (seconds, millisecond precision, as nginx's {@code $request_time}), {@code
 * upstream}, {@code server}, {@code upstream_response_time} (seconds, to the answering attempt's response head),
 * {@code attempts}, {@code route}, {@code request_id}, {@code tls} (the TLS version), {@code user_agent}, {@code
 * referer} and {@code local} (why Bascule answered itself: {@code no_route}, {@code rate_limited} ...).
 *
 * <p>Strings are escaped as RFC 8259 section 7 allows, byte for byte as Jackson's generator escapes them with
 * non-ASCII escaping on: quotes and backslashes; control characters (backspace, tab, line feed, form feed and
 * carriage return by their one-letter escapes, the others as backslash-u escapes); and every character outside
 * ASCII as a backslash-u escape of four upper-case hex digits. So a line is plain ASCII whatever a client sent.
 * The bytes go straight into the line buffer: the keys are constants, and a line costs one pass over its values.
 *
 * <p>Threading: the writer thread's alone.
 */
final class JsonFormat extends LineFormat {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = ascii("null");
    private static final byte[] TIME = ascii("{\"time\":");
    private static final byte[] CLIENT = key("client");
    private static final byte[] METHOD = key("method");
    private static final byte[] HOST = key("host");
    private static final byte[] URI = key("uri");
    private static final byte[] PROTOCOL = key("protocol");
    private static final byte[] STATUS = key("status");
    private static final byte[] BYTES_IN = key("bytes_in");
    private static final byte[] BYTES_OUT = key("bytes_out");
    private static final byte[] DURATION = key("duration");
    private static final byte[] UPSTREAM = key("upstream");
    private static final byte[] SERVER = key("server");
    private static final byte[] UPSTREAM_RESPONSE_TIME = key("upstream_response_time");
    private static final byte[] ATTEMPTS = key("attempts");
    private static final byte[] ROUTE = key("route");
    private static final byte[] REQUEST_ID = key("request_id");
    private static final byte[] TLS = key("tls");
    private static final byte[] USER_AGENT = key("user_agent");
    private static final byte[] REFERER = key("referer");
    private static final byte[] LOCAL = key("local");
    private static final byte[] END = ascii("}\n");

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ}; the first 19 characters are those of {@link #second}. */
    private final char[] time = new char[24];
    private long second = Long.MIN_VALUE;
    private final char[] number = new char[32];

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A key after the one before it: {@code ,"name":}. */
    private static byte[] key(String name) {
        return ascii(",\"" + name + "\":");
    }

    @Override
    void append(Entry e, LineBuffer out) {
        out.write(TIME, 0, TIME.length);
        out.write('"');
        out.ascii(time, isoTime(e.endEpochMillis));
        out.write('"');
        text(out, CLIENT, e.client);
        text(out, METHOD, e.method);
        text(out, HOST, e.host);
        text(out, URI, e.target);
        text(out, PROTOCOL, e.protocol);
        out.write(STATUS, 0, STATUS.length);
        if (e.status == 0) {
            out.write(NULL, 0, NULL.length);
        } else {
            out.decimal(e.status);
        }
        out.write(BYTES_IN, 0, BYTES_IN.length);
        out.decimal(e.bytesIn);
        out.write(BYTES_OUT, 0, BYTES_OUT.length);
        out.decimal(e.bytesOut);
        out.write(DURATION, 0, DURATION.length);
        out.ascii(number, seconds(e.durationNanos, number));
        text(out, UPSTREAM, e.upstream);
        text(out, SERVER, e.server);
        out.write(UPSTREAM_RESPONSE_TIME, 0, UPSTREAM_RESPONSE_TIME.length);
        if (e.upstreamResponseNanos < 0) {
            out.write(NULL, 0, NULL.length);
        } else {
            out.ascii(number, seconds(e.upstreamResponseNanos, number));
        }
        out.write(ATTEMPTS, 0, ATTEMPTS.length);
        out.decimal(e.attempts);
        text(out, ROUTE, e.route);
        text(out, REQUEST_ID, e.requestId);
        text(out, TLS, e.tls);
        text(out, USER_AGENT, e.userAgent);
        text(out, REFERER, e.referer);
        text(out, LOCAL, e.local == null ? null : e.local.label());
        out.write(END, 0, END.length);
    }

    private static void text(LineBuffer out, byte[] key, CharSequence value) {
        out.write(key, 0, key.length);
        if (value == null) {
            out.write(NULL, 0, NULL.length);
        } else {
            string(out, value);
        }
    }

    /** {@code value} as a JSON string, quotes included, escaped into printable ASCII. */
    static void string(LineBuffer out, CharSequence value) {
        int n = value.length();
        byte[] b = out.reserve(n * 6 + 2); // the longest escape, backslash-u and four digits, is six bytes
        int p = out.size();
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[p++] = (byte) c;
                continue;
            }
            b[p++] = '\\';
            switch (c) {
                case '"' -> b[p++] = '"';
                case '\\' -> b[p++] = '\\';
                case '\b' -> b[p++] = 'b';
                case '\t' -> b[p++] = 't';
                case '\n' -> b[p++] = 'n';
                case '\f' -> b[p++] = 'f';
                case '\r' -> b[p++] = 'r';
                default -> {
                    b[p++] = 'u';
                    b[p++] = HEX[c >>> 12];
                    b[p++] = HEX[(c >>> 8) & 0xf];
                    b[p++] = HEX[(c >>> 4) & 0xf];
                    b[p++] = HEX[c & 0xf];
                }
            }
        }
        b[p++] = '"';
        out.truncate(p);
    }

    /** Fills {@link #time} for {@code epochMillis}; the date and time of day are worked out once a second. */
    private int isoTime(long epochMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        if (sec != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
            int year = t.getYear();
            time[0] = (char) ('0' + year / 1000 % 10);
            time[1] = (char) ('0' + year / 100 % 10);
            twoDigits(time, 2, year % 100);
            time[4] = '-';
            twoDigits(time, 5, t.getMonthValue());
            time[7] = '-';
            twoDigits(time, 8, t.getDayOfMonth());
            time[10] = 'T';
            twoDigits(time, 11, t.getHour());
            time[13] = ':';
            twoDigits(time, 14, t.getMinute());
            time[16] = ':';
            twoDigits(time, 17, t.getSecond());
            time[19] = '.';
            time[23] = 'Z';
            second = sec;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        time[20] = (char) ('0' + millis / 100);
        twoDigits(time, 21, millis % 100);
        return time.length;
    }
}
