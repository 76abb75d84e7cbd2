package dev.bascule.http1;

import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.Arrays;

/**
 * Reads the field lines of a head or of a chunked body's trailer section (RFC 9112 5 and 7.1.2) in one pass over
 * a {@link ByteWindow}, recording four offsets per field and no object, then makes them an {@link Http1Headers}
 * with one copy of the bytes. It can stop at the end of the bytes read so far and resume on the next read from the
 * line it stopped at.
 *
 * <p>Strictness is that of Netty's response decoder with validating headers and strict line parsing, so that
 * swapping one for the other changes no decision: lines end in CRLF only; the field lines of a message (head and
 * trailers together) are at most {@code maxSize} bytes; a name is a token (RFC 9110 5.1) and a value field-content
 * (RFC 9110 5.5), checked when the field is complete as Netty checks it when adding it. Like Netty for a response,
 * whitespace between a name and its colon is dropped (RFC 9112 5.1: a proxy MUST remove it) and an obs-fold is
 * replaced by one space (RFC 9112 5.2); such a head is rebuilt as {@code name: value} lines, the rare slow path.
 * Trailer fields that RFC 9110 6.5.1 forbids as trailers (Content-Length, Transfer-Encoding, Trailer) are dropped.
 *
 * <p>Threading: belongs to one decoder, on its channel's event loop.
 */
final class FieldLines {
    private static final int SLOTS = 4;
    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_OFFSETS = new int[0];
    private static final byte[] CONTENT_LENGTH = FieldLine.ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = FieldLine.ascii("transfer-encoding");
    private static final byte[] TRAILER = FieldLine.ascii("trailer");

    private final int maxSize;
    /** Offsets of the fields kept, relative to {@link #start}; reused from message to message. */
    private int[] offsets = new int[16 * SLOTS];
    private int count;
    /** Obs-fold continuations as (field, start, end) triplets, trimmed; null until the first. */
    private int[] folds;
    private int foldCount;
    /** Whether a field needs rebuilding: whitespace before its colon, no colon at all, or an obs-fold. */
    private boolean irregular;
    private boolean trailers;
    private int start;
    private int position;
    /** Field lines of this message so far, head and trailers, as Netty counts them against the limit. */
    private int size;
    /** A field line was read in this section: the next line starting with whitespace continues it. */
    private boolean afterField;
    /** The last field line named a forbidden trailer and was dropped, so are its continuations. */
    private boolean lastDropped;
    /** The field whose name and value are still to be checked (when the next one starts), or -1. */
    private int unchecked = -1;

    // What the framing of a head depends on (RFC 9112 6.3), found while reading.
    int contentLengthCount;
    int contentLengthField;
    int transferEncodingCount;

    /** The result of {@link #build}: the bytes and offsets the headers were made of. */
    byte[] builtBytes;
    int[] builtOffsets;

    FieldLines(int maxSize) {
        this.maxSize = maxSize;
    }

    /** A new message starts: its field lines count from zero against the limit. */
    void newMessage() {
        size = 0;
    }

    /** A field section starts at {@code at} in the window: the head's after its start line, or the trailers. */
    void begin(int at, boolean trailerSection) {
        start = at;
        position = at;
        trailers = trailerSection;
        count = 0;
        foldCount = 0;
        irregular = false;
        afterField = false;
        lastDropped = false;
        unchecked = -1;
        contentLengthCount = 0;
        contentLengthField = -1;
        transferEncodingCount = 0;
    }

    /** Where the section started in the window. */
    int start() {
        return start;
    }

    /** After a complete section: the position just past its empty line. */
    int end() {
        return position;
    }

    /** Whether the section had any field line (a trailer section may be just its empty line). */
    boolean hadLines() {
        return afterField;
    }

    /**
     * Reads lines from where the last call stopped. Returns true once the empty line ending the section is read,
     * false when more bytes are needed; throws on a malformed line.
     */
    boolean read(ByteWindow w) {
        for (;;) {
            int remaining = maxSize - size;
            int readable = w.readable();
            int to = (int) Math.min(position + (long) remaining + 2, readable);
            int lf = w.indexOfLf(position, to);
            if (lf < 0) {
                if (readable - position > remaining) {
                    throw tooLong();
                }
                return false;
            }
            if (lf == position || w.at(lf - 1) != '\r') {
                throw new InvalidLineSeparatorException(); // RFC 9112 2.2: a bare LF ends no line here
            }
            int end = lf - 1;
            int length = end - position;
            if (length == 0) {
                checkUnchecked(w);
                position = lf + 1;
                return true;
            }
            size += length;
            if (size > maxSize) {
                throw tooLong();
            }
            byte first = w.at(position);
            if (afterField && (first == ' ' || first == '\t')) {
                fold(w, position, end);
            } else {
                checkUnchecked(w);
                split(w, position, end);
            }
            position = lf + 1;
        }
    }

    private TooLongHttpHeaderException tooLong() {
        return new TooLongHttpHeaderException("HTTP header is larger than " + maxSize + " bytes.");
    }

    /** One field line: name up to the colon (or, in a response, up to whitespace), value trimmed of OWS. */
    private void split(ByteWindow w, int from, int to) {
        afterField = true;
        int nameEnd = from;
        while (nameEnd < to) {
            byte c = w.at(nameEnd);
            if (c == ':' || c == ' ' || c == '\t') {
                break;
            }
            nameEnd++;
        }
        if (nameEnd == to) {
            throw new IllegalArgumentException("No colon found");
        }
        boolean regular = w.at(nameEnd) == ':';
        int colonEnd = nameEnd;
        while (colonEnd < to) {
            if (w.at(colonEnd++) == ':') {
                break;
            }
        }
        int valueStart = colonEnd;
        while (valueStart < to) {
            byte c = w.at(valueStart);
            if (c == ' ' || c == '\t') {
                valueStart++;
            } else if (c >= 0x0a && c <= 0x0d || c >= 0x1c && c <= 0x1f) {
                throw new IllegalArgumentException("Invalid separator, only a single space or horizontal tab allowed");
            } else {
                break;
            }
        }
        int valueEnd;
        if (valueStart == to) {
            valueStart = colonEnd;
            valueEnd = colonEnd;
        } else {
            valueEnd = to;
            while (w.at(valueEnd - 1) == ' ' || w.at(valueEnd - 1) == '\t') {
                valueEnd--;
            }
        }
        int nameLength = nameEnd - from;
        if (trailers && forbiddenTrailer(w, from, nameLength)) {
            lastDropped = true; // RFC 9110 6.5.1: framing fields are not trailers; Netty drops them unchecked
            return;
        }
        lastDropped = false;
        if (!regular) {
            irregular = true;
        }
        if (!trailers) {
            if (nameLength == 14 && named(w, from, CONTENT_LENGTH)) {
                if (contentLengthCount++ == 0) {
                    contentLengthField = count;
                }
            } else if (nameLength == 17 && named(w, from, TRANSFER_ENCODING)) {
                transferEncodingCount++;
            }
        }
        int at = count * SLOTS;
        if (at == offsets.length) {
            offsets = Arrays.copyOf(offsets, at * 2);
        }
        int base = start;
        offsets[at] = from - base;
        offsets[at + 1] = nameEnd - base;
        offsets[at + 2] = valueStart - base;
        offsets[at + 3] = valueEnd - base;
        unchecked = count;
        count++;
    }

    /** RFC 9112 5.2: an obs-fold continues the previous field's value, joined to it by one space. */
    private void fold(ByteWindow w, int from, int to) {
        if (lastDropped) {
            return;
        }
        int s = from;
        int e = to;
        while (s < e && (w.at(s) & 0xff) <= ' ') { // String.trim, as Netty trims the continuation
            s++;
        }
        while (e > s && (w.at(e - 1) & 0xff) <= ' ') {
            e--;
        }
        if (folds == null) {
            folds = new int[3 * 4];
        } else if (foldCount * 3 == folds.length) {
            folds = Arrays.copyOf(folds, folds.length * 2);
        }
        folds[foldCount * 3] = count - 1;
        folds[foldCount * 3 + 1] = s - start;
        folds[foldCount * 3 + 2] = e - start;
        foldCount++;
        irregular = true;
    }

    private static boolean forbiddenTrailer(ByteWindow w, int from, int length) {
        return length == 14 && named(w, from, CONTENT_LENGTH)
                || length == 17 && named(w, from, TRANSFER_ENCODING)
                || length == 7 && named(w, from, TRAILER);
    }

    /** Checks the last complete field as Netty's validating headers check it when it is added. */
    private void checkUnchecked(ByteWindow w) {
        int i = unchecked;
        if (i < 0) {
            return;
        }
        unchecked = -1;
        int at = i * SLOTS;
        int base = start;
        int nameStart = base + offsets[at];
        int nameEnd = base + offsets[at + 1];
        if (nameStart == nameEnd) {
            throw new IllegalArgumentException("empty headers are not allowed");
        }
        for (int k = nameStart; k < nameEnd; k++) {
            if (!FieldLine.tchar(w.at(k))) {
                throw new IllegalArgumentException("a header name can only contain \"token\" characters");
            }
        }
        int valueStart = base + offsets[at + 2];
        int valueEnd = base + offsets[at + 3];
        checkValue(w, valueStart, valueEnd);
        for (int f = foldCount - 1; f >= 0 && folds[f * 3] == i; f--) {
            if (valueStart == valueEnd) {
                throw new IllegalArgumentException("a header value must not start with whitespace");
            }
            checkValue(w, base + folds[f * 3 + 1], base + folds[f * 3 + 2]);
        }
    }

    /** RFC 9110 5.5 field-content: no control character but HTAB (the ends are never whitespace here). */
    private static void checkValue(ByteWindow w, int from, int to) {
        for (int k = from; k < to; k++) {
            int b = w.at(k) & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f) {
                throw new IllegalArgumentException("a header value contains a prohibited character");
            }
        }
    }

    /** The fields read, as headers holding one copy of their bytes. */
    Http1Headers build(ByteWindow w) {
        return build(w, null);
    }

    /**
     * The fields read, as headers holding one copy of their bytes: {@code spare} filled again ({@link
     * Http1Headers#reuse}) with the arrays it holds where they are large enough, or new headers when it is null.
     */
    Http1Headers build(ByteWindow w, Http1Headers spare) {
        int n = count;
        byte[] bytes;
        int[] fields;
        if (n == 0) {
            bytes = spare != null ? spare.headBytes() : NO_BYTES; // nothing is read from them
            fields = spare != null ? spare.offsets() : NO_OFFSETS;
        } else if (!irregular) {
            int length = offsets[n * SLOTS - 1];
            bytes = spare != null && spare.headBytes().length >= length ? spare.headBytes() : new byte[length];
            w.copy(start, length, bytes);
            fields = spare != null && spare.offsets().length >= n * SLOTS ? spare.offsets() : new int[n * SLOTS];
            System.arraycopy(offsets, 0, fields, 0, n * SLOTS);
        } else {
            w.ensure(position);
            fields = new int[n * SLOTS];
            bytes = rebuild(w, fields);
        }
        builtBytes = n == 0 ? null : bytes;
        builtOffsets = n == 0 ? null : fields;
        if (spare == null) {
            return new Http1Headers(bytes, fields, n);
        }
        spare.reuse(bytes, fields, n);
        return spare;
    }

    /** Writes each field as {@code name: value}, obs-folds joined by one space: what Netty would forward. */
    private byte[] rebuild(ByteWindow w, int[] fields) {
        int total = 0;
        for (int i = 0; i < count; i++) {
            int at = i * SLOTS;
            total += offsets[at + 1] - offsets[at] + 2 + offsets[at + 3] - offsets[at + 2];
        }
        for (int f = 0; f < foldCount; f++) {
            total += 1 + folds[f * 3 + 2] - folds[f * 3 + 1];
        }
        byte[] out = new byte[total];
        int o = 0;
        int f = 0;
        byte[] src = w.bytes;
        int base = w.base + start;
        for (int i = 0; i < count; i++) {
            int at = i * SLOTS;
            fields[at] = o;
            int nameLength = offsets[at + 1] - offsets[at];
            System.arraycopy(src, base + offsets[at], out, o, nameLength);
            o += nameLength;
            fields[at + 1] = o;
            out[o++] = ':';
            out[o++] = ' ';
            fields[at + 2] = o;
            int valueLength = offsets[at + 3] - offsets[at + 2];
            System.arraycopy(src, base + offsets[at + 2], out, o, valueLength);
            o += valueLength;
            for (; f < foldCount && folds[f * 3] == i; f++) {
                out[o++] = ' ';
                int l = folds[f * 3 + 2] - folds[f * 3 + 1];
                System.arraycopy(src, base + folds[f * 3 + 1], out, o, l);
                o += l;
            }
            fields[at + 3] = o;
        }
        return out;
    }

    /** Whether the name at {@code from} in the window (made readable already) is {@code lower}, ignoring case. */
    private static boolean named(ByteWindow w, int from, byte[] lower) {
        return FieldLine.named(w.bytes, w.base + from, lower);
    }
}
