package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header fields of one HTTP/1 message head as they arrived: the head's bytes and, per field, the offsets of
 * its name and value, with no object per field. What the proxy changes on the way through is kept beside them: a
 * field removed is only marked, a field added or set is appended. {@link #encode} then writes the received
 * fields that are left as their original bytes and the added ones after them, so forwarding a head costs a copy
 * of bytes rather than a map of strings built on one side and encoded again on the other.
 *
 * <p>It behaves as any other {@link HttpHeaders}: names match case-insensitively (RFC 9110 5.1), fields keep
 * their order, and {@code set} removes every field of the name and appends the new one, as Netty's own headers
 * do. A value is made a {@code String} only when asked for, once per field. Names and values added are checked as
 * Netty's validating headers check them: a name must be a token (RFC 9110 5.6.2) and a value field-content (RFC
 * 9110 5.5: no control character but HTAB, no leading whitespace), so nothing added can split the head.
 *
 * <p>The received bytes are trusted to be a head a strict decoder accepted: names are tokens, values carry no
 * CR, LF or NUL and no whitespace at either end (OWS is outside the offsets).
 *
 * <p>Threading: not thread-safe; belongs to the one message, on its connection's event loop.
 */
public final class Http1Headers extends HttpHeaders {
    private static final int SLOTS = 4;

    private byte[] head;
    /** Per received field, at {@code 4 * i}: name start, name end, value start, value end (in {@link #head}). */
    private int[] fields;
    private int received;
    /** Which of the first 64 received fields were removed since, a bit each: no array for a usual head. */
    private long removedBits;
    /** The same for received fields beyond the 64th, at {@code i - 64}; null until one of them is removed. */
    private boolean[] removedBeyond;
    /** Received fields still present. */
    private int left;
    /** The values of received fields made Strings, null until the first is asked for. */
    private String[] values;
    /** Fields added since the head arrived, in order, name then value; a removed one's name is null. */
    private CharSequence[] addedFields;
    private int added;
    private int addedLeft;
    /** A decoder lent these headers out with their message, which may be given back ({@link SpareHeads}). */
    private boolean lent;

    /**
     * @param head the bytes the offsets point into; kept, not copied (the caller gives up the array)
     * @param fields four offsets per field: name start, name end, value start and value end, ends exclusive
     * @param count how many fields {@code fields} describes
     */
    public Http1Headers(byte[] head, int[] fields, int count) {
        if (fields.length < count * SLOTS) {
            throw new IllegalArgumentException("offsets for " + count + " fields need " + count * SLOTS + " slots");
        }
        this.head = head;
        this.fields = fields;
        this.received = count;
        this.left = count;
    }

    /** Headers with no received fields, for a message made by Bascule itself. */
    public Http1Headers() {
        this(new byte[0], new int[0], 0);
    }

    /**
     * Makes these the headers of the next message a decoder reads, as if new: every change made since they were
     * built is forgotten, and the arrays already held are used again when large enough. Only for headers given
     * back to {@link SpareHeads}, whose message nothing refers to any more.
     */
    void reuse(byte[] head, int[] fields, int count) {
        this.head = head;
        this.fields = fields;
        received = count;
        left = count;
        removedBits = 0;
        removedBeyond = null;
        if (values != null) {
            Arrays.fill(values, null);
            if (values.length < count) {
                values = null;
            }
        }
        if (addedFields != null) {
            Arrays.fill(addedFields, 0, 2 * added, null);
        }
        added = 0;
        addedLeft = 0;
    }

    /** The arrays the received fields are in, for a decoder to fill again ({@link #reuse}). */
    byte[] headBytes() {
        return head;
    }

    int[] offsets() {
        return fields;
    }

    /** Marks the headers lent out by a decoder; returns whether they were (and are no longer) when given back. */
    boolean lend(boolean out) {
        boolean was = lent;
        lent = out;
        return was;
    }

    // ---- writing ----

    /**
     * Writes the fields as they go on the wire, each {@code name: value CRLF}: the received ones left as their
     * original bytes (the name's case and the space after the colon as the sender wrote them), then the added ones.
     */
    public void encode(ByteBuf buf) {
        FieldText.writeFields(this, buf);
    }

    // ---- reading ----

    int receivedCount() {
        return received;
    }

    int addedCount() {
        return added;
    }

    /** The name of added field {@code i}; null once it was removed. */
    CharSequence addedName(int i) {
        return addedFields[2 * i];
    }

    CharSequence addedValue(int i) {
        return addedFields[2 * i + 1];
    }

    boolean present(int i) {
        if (i < 64) {
            return (removedBits & (1L << i)) == 0;
        }
        return removedBeyond == null || !removedBeyond[i - 64];
    }

    private void markRemoved(int i) {
        if (i < 64) {
            removedBits |= 1L << i;
        } else {
            if (removedBeyond == null) {
                removedBeyond = new boolean[received - 64];
            }
            removedBeyond[i - 64] = true;
        }
    }

    /** Whether received field {@code i}'s name is {@code name}, ignoring ASCII case. */
    private boolean nameIs(int i, CharSequence name) {
        int at = i * SLOTS;
        return FieldLists.regionNames(head, fields[at], fields[at + 1] - fields[at], name);
    }

    String receivedValue(int i) {
        if (values == null) {
            values = new String[received];
        }
        String v = values[i];
        if (v == null) {
            int at = i * SLOTS;
            v = nameIs(i, HttpHeaderNames.HOST) ? RecentHosts.of(head, fields[at + 2], fields[at + 3])
                    : new String(head, fields[at + 2], fields[at + 3] - fields[at + 2], StandardCharsets.ISO_8859_1);
            values[i] = v;
        }
        return v;
    }

    String receivedName(int i) {
        int at = i * SLOTS;
        return new String(head, fields[at], fields[at + 1] - fields[at], StandardCharsets.ISO_8859_1);
    }

    private static boolean namesMatch(CharSequence a, CharSequence b) {
        return AsciiString.contentEqualsIgnoreCase(a, b);
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        for (int i = 0; i < received; i++) {
            if (present(i) && nameIs(i, name)) {
                return receivedValue(i);
            }
        }
        for (int i = 0; i < added; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                return addedFields[2 * i + 1].toString();
            }
        }
        return null;
    }

    @Override
    public Integer getInt(CharSequence name) {
        return FieldText.intOrNull(get(name));
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        return FieldText.shortOrNull(get(name));
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return FieldText.dateOrNull(get(name));
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        String one = null;
        List<String> all = null;
        for (int i = 0; i < received; i++) {
            if (present(i) && nameIs(i, name)) {
                String v = receivedValue(i);
                if (one == null) {
                    one = v;
                } else {
                    all = append(all, one, v);
                }
            }
        }
        for (int i = 0; i < added; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                String v = addedFields[2 * i + 1].toString();
                if (one == null) {
                    one = v;
                } else {
                    all = append(all, one, v);
                }
            }
        }
        if (all != null) {
            return all;
        }
        // Most names occur once: a one-value list, not an ArrayList and its array. Read-only, as callers use it.
        return one == null ? Collections.emptyList() : Collections.singletonList(one);
    }

    private static List<String> append(List<String> list, String first, String value) {
        List<String> l = list;
        if (l == null) {
            l = new ArrayList<>(4);
            l.add(first);
        }
        l.add(value);
        return l;
    }

    /**
     * Whether every comma-separated member of every {@code name} field is one of {@code allowed} (ignoring ASCII
     * case and the whitespace around members), read in place: false when there is no such field. Lets a caller
     * skip taking a list apart in the usual case, such as {@code Connection: keep-alive}.
     */
    public boolean listsOnly(CharSequence name, AsciiString... allowed) {
        boolean any = false;
        for (int i = 0; i < received; i++) {
            if (present(i) && nameIs(i, name)) {
                int at = i * SLOTS;
                if (!FieldLists.onlyMembers(head, fields[at + 2], fields[at + 3], allowed)) {
                    return false;
                }
                any = true;
            }
        }
        for (int i = 0; i < added; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                AsciiString v = AsciiString.of(addedFields[2 * i + 1]);
                if (!FieldLists.onlyMembers(v.array(), v.arrayOffset(), v.arrayOffset() + v.length(), allowed)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return Http1HeaderFields.entries(this);
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return count(name, 1) > 0;
    }

    /** How many fields are named {@code name}, counted up to {@code upTo}: no list made, unlike {@link #getAll}. */
    public int count(CharSequence name, int upTo) {
        int n = 0;
        for (int i = 0; i < received && n < upTo; i++) {
            if (present(i) && nameIs(i, name)) {
                n++;
            }
        }
        for (int i = 0; i < added && n < upTo; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether a field {@code name} lists {@code value} as one of its comma-separated members, trimmed of OWS (as
     * Netty's {@code containsValue}), looked up in the received bytes without making a String.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = 0; i < received; i++) {
            if (present(i) && nameIs(i, name)) {
                int at = i * SLOTS;
                if (FieldLists.listsMember(head, fields[at + 2], fields[at + 3], value, ignoreCase)) {
                    return true;
                }
            }
        }
        for (int i = 0; i < added; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                CharSequence v = addedFields[2 * i + 1];
                // The values Bascule adds that get asked about (chunked, close, keep-alive) are AsciiStrings: their
                // bytes are read in place; only another kind of value is copied.
                AsciiString a = v instanceof AsciiString ascii ? ascii : new AsciiString(v);
                boolean listed = FieldLists.listsMember(a.array(), a.arrayOffset(), a.arrayOffset() + a.length(),
                        value, ignoreCase);
                if (listed) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return left + addedLeft;
    }

    @Override
    public Set<String> names() {
        return Http1HeaderFields.names(this);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Http1HeaderFields<>(this, true);
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Http1HeaderFields<>(this, false);
    }

    // ---- changing ----

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(name, FieldText.valueOf(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            append(name, FieldText.valueOf(v));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        append(name, Integer.toString(value));
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        append(name, Short.toString(value));
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence v = FieldText.valueOf(value); // checked before anything is removed: a refused set changes nothing
        FieldText.checkName(name);
        remove(name);
        put(name, v);
        return this;
    }

    /**
     * Sets a field Bascule writes on every message it forwards (Via, X-Forwarded-*, a request ID, framing fields)
     * without {@link #set}'s checks, which could not fail: the name is a token constant, the value a constant or
     * made from checked parts (received fields, which the decoders checked, and Bascule's own formatting). Headers
     * of another class (an HTTP/2 message's) get their own {@code set}, checks included.
     */
    public static void setChecked(HttpHeaders headers, AsciiString name, CharSequence value) {
        if (headers instanceof Http1Headers h) {
            if (value == null) {
                throw new NullPointerException("value");
            }
            h.remove(name);
            h.put(name, value);
        } else {
            headers.set(name, value);
        }
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        FieldText.checkName(name);
        List<CharSequence> checked = new ArrayList<>();
        for (Object v : values) {
            checked.add(FieldText.valueOf(v));
        }
        remove(name);
        for (int i = 0; i < checked.size(); i++) {
            put(name, checked.get(i));
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        for (int i = 0; i < received; i++) {
            if (present(i) && nameIs(i, name)) {
                markRemoved(i);
                left--;
            }
        }
        for (int i = 0; i < added; i++) {
            if (addedFields[2 * i] != null && namesMatch(addedFields[2 * i], name)) {
                addedFields[2 * i] = null;
                addedFields[2 * i + 1] = null;
                addedLeft--;
            }
        }
        return this;
    }

    /**
     * Removes every field named by one of {@code names}, in one pass over the fields rather than one per name: what
     * stripping a message's hop-by-hop fields costs on every request and response.
     */
    public Http1Headers removeAll(AsciiString[] names) {
        for (int i = 0; i < received; i++) {
            if (present(i)) {
                int at = i * SLOTS;
                int length = fields[at + 1] - fields[at];
                for (AsciiString name : names) {
                    if (name.length() == length && nameIs(i, name)) {
                        markRemoved(i);
                        left--;
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < added; i++) {
            CharSequence n = addedFields[2 * i];
            if (n != null) {
                for (AsciiString name : names) {
                    if (namesMatch(n, name)) {
                        addedFields[2 * i] = null;
                        addedFields[2 * i + 1] = null;
                        addedLeft--;
                        break;
                    }
                }
            }
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        for (int i = 0; i < received; i++) {
            markRemoved(i);
        }
        left = 0;
        added = 0;
        addedLeft = 0;
        if (addedFields != null) {
            Arrays.fill(addedFields, null);
        }
        return this;
    }

    private void append(CharSequence name, CharSequence value) {
        FieldText.checkName(name);
        put(name, value);
    }

    /** Adds a field whose name and value are known to be valid. */
    private void put(CharSequence name, CharSequence value) {
        if (addedFields == null) {
            // Six fields: what a proxy adds to a request (X-Forwarded-*, Via, a request ID), so that it never grows.
            addedFields = new CharSequence[12];
        } else if (2 * added == addedFields.length) {
            addedFields = Arrays.copyOf(addedFields, 4 * added);
        }
        addedFields[2 * added] = name;
        addedFields[2 * added + 1] = value;
        added++;
        addedLeft++;
    }
}
