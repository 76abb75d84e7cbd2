package dev.bascule.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
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
 * <p>Jackson's generator does the escaping (RFC 8259 section 7): quotes, backslashes and control characters,
 * and every character outside ASCII as a backslash-u escape of four hex digits, so a line is plain ASCII
 * whatever a client sent.
 *
 * <p>Threading: the writer thread's alone.
 */
final class JsonFormat extends LineFormat {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .rootValueSeparator((String) null) // each object ends its own line
            .build();

    private static final SerializableString TIME = new SerializedString("time");
    private static final SerializableString CLIENT = new SerializedString("client");
    private static final SerializableString METHOD = new SerializedString("method");
    private static final SerializableString HOST = new SerializedString("host");
    private static final SerializableString URI = new SerializedString("uri");
    private static final SerializableString PROTOCOL = new SerializedString("protocol");
    private static final SerializableString STATUS = new SerializedString("status");
    private static final SerializableString BYTES_IN = new SerializedString("bytes_in");
    private static final SerializableString BYTES_OUT = new SerializedString("bytes_out");
    private static final SerializableString DURATION = new SerializedString("duration");
    private static final SerializableString UPSTREAM = new SerializedString("upstream");
    private static final SerializableString SERVER = new SerializedString("server");
    private static final SerializableString UPSTREAM_RESPONSE_TIME = new SerializedString("upstream_response_time");
    private static final SerializableString ATTEMPTS = new SerializedString("attempts");
    private static final SerializableString ROUTE = new SerializedString("route");
    private static final SerializableString REQUEST_ID = new SerializedString("request_id");
    private static final SerializableString TLS = new SerializedString("tls");
    private static final SerializableString USER_AGENT = new SerializedString("user_agent");
    private static final SerializableString REFERER = new SerializedString("referer");
    private static final SerializableString LOCAL = new SerializedString("local");

    private JsonGenerator gen;
    private LineBuffer target;
    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ}; the first 19 characters are those of {@link #second}. */
    private final char[] time = new char[24];
    private long second = Long.MIN_VALUE;
    private final char[] number = new char[32];
    private char[] chars = new char[256];

    @Override
    void append(Entry e, LineBuffer out) throws IOException {
        if (gen == null || target != out) {
            gen = FACTORY.createGenerator(out);
            target = out;
        }
        JsonGenerator g = gen;
        g.writeStartObject();
        g.writeFieldName(TIME);
        g.writeString(time, 0, isoTime(e.endEpochMillis));
        g.writeFieldName(CLIENT);
        text(g, e.client);
        g.writeFieldName(METHOD);
        text(g, e.method);
        g.writeFieldName(HOST);
        text(g, e.host);
        g.writeFieldName(URI);
        text(g, e.target);
        g.writeFieldName(PROTOCOL);
        text(g, e.protocol);
        g.writeFieldName(STATUS);
        if (e.status == 0) {
            g.writeNull();
        } else {
            g.writeNumber(e.status);
        }
        g.writeFieldName(BYTES_IN);
        g.writeNumber(e.bytesIn);
        g.writeFieldName(BYTES_OUT);
        g.writeNumber(e.bytesOut);
        g.writeFieldName(DURATION);
        g.writeNumber(number, 0, seconds(e.durationNanos, number));
        g.writeFieldName(UPSTREAM);
        text(g, e.upstream);
        g.writeFieldName(SERVER);
        text(g, e.server);
        g.writeFieldName(UPSTREAM_RESPONSE_TIME);
        if (e.upstreamResponseNanos < 0) {
            g.writeNull();
        } else {
            g.writeNumber(number, 0, seconds(e.upstreamResponseNanos, number));
        }
        g.writeFieldName(ATTEMPTS);
        g.writeNumber(e.attempts);
        g.writeFieldName(ROUTE);
        text(g, e.route);
        g.writeFieldName(REQUEST_ID);
        text(g, e.requestId);
        g.writeFieldName(TLS);
        text(g, e.tls);
        g.writeFieldName(USER_AGENT);
        text(g, e.userAgent);
        g.writeFieldName(REFERER);
        text(g, e.referer);
        g.writeFieldName(LOCAL);
        text(g, e.local == null ? null : e.local.label());
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush(); // into the line buffer, so the writer can take the line back should the next one fail
    }

    @Override
    void reset() {
        gen = null;
    }

    private void text(JsonGenerator g, CharSequence value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else {
            int n = value.length();
            if (n > chars.length) {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            if (value instanceof StringBuilder sb) { // what Entry copies other sequences into
                sb.getChars(0, n, chars, 0);
            } else {
                for (int i = 0; i < n; i++) {
                    chars[i] = value.charAt(i);
                }
            }
            g.writeString(chars, 0, n);
        }
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
