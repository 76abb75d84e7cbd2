package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Calendar;
import java.util.Date;
import java.util.Iterator;
import java.util.Map;

/**
 * The text of header fields that Bascule adds: the checks a name and a value pass before joining a head, as
 * Netty's validating headers check them (a name is a token, RFC 9110 5.6.2; a value is field-content, RFC 9110
 * 5.5, so nothing added can split the head), and how either is written as bytes.
 *
 * <p>Stateless.
 */
final class FieldText {
    static final short CRLF = ('\r' << 8) | '\n';
    static final short COLON_SPACE = (':' << 8) | ' ';

    private FieldText() {}

    static void checkName(CharSequence name) {
        if (name == null || name.length() == 0 || HttpHeaderValidationUtil.validateToken(name) != -1) {
            throw new IllegalArgumentException("a header name must be a token: '" + name + "'");
        }
    }

    static CharSequence valueOf(Object value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        CharSequence v;
        if (value instanceof CharSequence s) {
            v = s;
        } else if (value instanceof Date d) {
            v = DateFormatter.format(d);
        } else if (value instanceof Calendar c) {
            v = DateFormatter.format(c.getTime());
        } else {
            v = value.toString();
        }
        if (HttpHeaderValidationUtil.validateValidHeaderValue(v) != -1) {
            throw new IllegalArgumentException("a header value must be field-content (RFC 9110 5.5): '" + v + "'");
        }
        return v;
    }

    /**
     * Writes any headers' fields as {@link Http1Headers#encode} does: received bytes for Bascule's own headers,
     * {@code name: value CRLF} for others (a message Netty's codecs made, such as a converted HTTP/2 one).
     */
    static void writeFields(HttpHeaders headers, ByteBuf buf) {
        if (headers instanceof Http1Headers own) {
            writeFields(own, buf);
            return;
        }
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            writeAscii(buf, e.getKey());
            buf.writeShort(COLON_SPACE);
            writeAscii(buf, e.getValue());
            buf.writeShort(CRLF);
        }
    }

    /** The received fields left as their original bytes, then the added ones. */
    static void writeFields(Http1Headers h, ByteBuf buf) {
        byte[] head = h.headBytes();
        int[] fields = h.offsets();
        for (int i = 0, n = h.receivedCount(); i < n; i++) {
            if (h.present(i)) {
                int at = i * 4;
                buf.writeBytes(head, fields[at], fields[at + 3] - fields[at]);
                buf.writeShort(CRLF);
            }
        }
        for (int i = 0, n = h.addedCount(); i < n; i++) {
            CharSequence name = h.addedName(i);
            if (name != null) {
                writeAscii(buf, name);
                buf.writeShort(COLON_SPACE);
                writeAscii(buf, h.addedValue(i));
                buf.writeShort(CRLF);
            }
        }
    }

    static void writeAscii(ByteBuf buf, CharSequence s) {
        if (s instanceof AsciiString a) {
            buf.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            ByteBufUtil.writeAscii(buf, s); // one byte per char: Latin-1, as received values were read
        }
    }

    /** A value read as Netty's headers read it: null when absent or not a number (or not an HTTP date). */
    static Integer intOrNull(String v) {
        try {
            return v == null ? null : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Short shortOrNull(String v) {
        try {
            return v == null ? null : Short.parseShort(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Long dateOrNull(String v) {
        Date date = v == null ? null : DateFormatter.parseHttpDate(v);
        return date == null ? null : date.getTime();
    }
}
