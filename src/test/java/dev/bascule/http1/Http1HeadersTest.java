package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Http1Headers} against Netty's own headers: the same fields, the same random operations, the same answers;
 * and what it writes is the original bytes of the fields left plus the added ones.
 */
class Http1HeadersTest {
    private static final String[] NAMES = {
        "Host", "host", "HOST", "Connection", "connection", "X-Forwarded-For", "x-forwarded-for", "Via", "TE",
        "Transfer-Encoding", "Content-Length", "Accept", "X-A", "x-a", "Cookie",
    };
    private static final String[] VALUES = {
        "a", "close", "keep-alive, Upgrade", "Close", "chunked", "gzip, chunked", "1.1 x", "10", "\u00e9t\u00e9",
        "a,b , c", "trailers;q=1", "x\ty",
    };

    /** A head of the given fields with random OWS around each value, and their offsets. */
    private static Http1Headers parsed(List<String[]> fields, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] offsets = new int[fields.size() * 4];
        for (int i = 0; i < fields.size(); i++) {
            byte[] name = fields.get(i)[0].getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = fields.get(i)[1].getBytes(StandardCharsets.ISO_8859_1);
            offsets[4 * i] = out.size();
            out.writeBytes(name);
            offsets[4 * i + 1] = out.size();
            out.write(':');
            out.writeBytes(" \t ".substring(0, random.nextInt(3)).getBytes(StandardCharsets.ISO_8859_1));
            offsets[4 * i + 2] = out.size();
            out.writeBytes(value);
            offsets[4 * i + 3] = out.size();
            out.writeBytes(" \t".substring(0, random.nextInt(2)).getBytes(StandardCharsets.ISO_8859_1));
            out.write('\r');
            out.write('\n');
        }
        return new Http1Headers(out.toByteArray(), offsets, fields.size());
    }

    @Test
    void answersAsNettysHeadersDoUnderRandomChanges() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            List<String[]> fields = new ArrayList<>();
            // Now and then a head past 64 fields, where removals are no longer kept as bits of one long.
            int n = round % 50 == 0 ? 60 + random.nextInt(12) : random.nextInt(8);
            for (int i = 0; i < n; i++) {
                fields.add(new String[] {pick(NAMES, random), pick(VALUES, random)});
            }
            Http1Headers own = parsed(fields, random);
            HttpHeaders netty = new DefaultHttpHeaders();
            for (String[] f : fields) {
                netty.add(f[0], f[1]);
            }
            for (int op = 0; op < 12; op++) {
                String name = pick(NAMES, random);
                String value = pick(VALUES, random);
                switch (random.nextInt(5)) {
                    case 0 -> {
                        own.add(name, value);
                        netty.add(name, value);
                    }
                    case 1 -> {
                        own.set(name, value);
                        netty.set(name, value);
                    }
                    case 2 -> {
                        own.remove(name);
                        netty.remove(name);
                    }
                    case 3 -> {
                        AsciiString[] names = new AsciiString[1 + random.nextInt(3)];
                        for (int k = 0; k < names.length; k++) {
                            names[k] = AsciiString.of(pick(NAMES, random).toLowerCase());
                            netty.remove(names[k]);
                        }
                        own.removeAll(names);
                    }
                    default -> { }
                }
                assertSame(own, netty, name, value);
            }
            assertThat(written(own)).isEqualTo(written(netty));
        }
    }

    private static void assertSame(Http1Headers own, HttpHeaders netty, String name, String value) {
        assertThat(own.get(name)).isEqualTo(netty.get(name));
        assertThat(own.getAll(name)).isEqualTo(netty.getAll(name));
        assertThat(own.contains(name)).isEqualTo(netty.contains(name));
        assertThat(own.count(name, 2)).isEqualTo(Math.min(2, netty.getAll(name).size()));
        assertThat(own.count(name, Integer.MAX_VALUE)).isEqualTo(netty.getAll(name).size());
        assertThat(own.size()).isEqualTo(netty.size());
        assertThat(own.isEmpty()).isEqualTo(netty.isEmpty());
        for (String member : new String[] {"close", "chunked", "upgrade", "b", "c", "trailers;q=1"}) {
            assertThat(own.containsValue(name, member, true)).as("%s lists %s", name, member)
                    .isEqualTo(netty.containsValue(name, member, true));
            assertThat(own.containsValue(name, member, false)).isEqualTo(netty.containsValue(name, member, false));
        }
        assertThat(entries(own.iteratorCharSequence())).isEqualTo(entries(netty.iteratorCharSequence()));
        assertThat(own.listsOnly(name, HttpHeaderValues.KEEP_ALIVE, HttpHeaderValues.CLOSE)).as("%s lists only", name)
                .isEqualTo(listsOnlyConnectionOptions(netty.getAll(name)));
        assertThat(own.entries()).hasSize(netty.size());
    }

    /** The reference for {@link Http1Headers#listsOnly}: every non-empty member is keep-alive or close. */
    private static boolean listsOnlyConnectionOptions(List<String> values) {
        for (String v : values) {
            for (String member : v.split(",", -1)) {
                String m = member.strip();
                if (!m.isEmpty() && !m.equalsIgnoreCase("keep-alive") && !m.equalsIgnoreCase("close")) {
                    return false;
                }
            }
        }
        return !values.isEmpty();
    }

    private static List<String> entries(Iterator<Map.Entry<CharSequence, CharSequence>> it) {
        List<String> list = new ArrayList<>();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            list.add(e.getKey().toString().toLowerCase() + "=" + e.getValue());
        }
        return list;
    }

    /** The bytes {@link Http1Headers#encode} writes, exactly. */
    private static String wire(Http1Headers h) {
        ByteBuf buf = Unpooled.buffer();
        try {
            h.encode(buf);
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    /** What a head with these fields looks like on the wire, names in lower case (their case is the sender's). */
    private static String written(HttpHeaders h) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FieldText.writeFields(h, buf);
            StringBuilder lowerNames = new StringBuilder();
            for (String line : buf.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
                int colon = line.indexOf(':');
                lowerNames.append(colon < 0 ? line : line.substring(0, colon).toLowerCase() + ": "
                        + line.substring(colon + 1).replaceFirst("^[ \t]*", "")).append('|');
            }
            return lowerNames.toString();
        } finally {
            buf.release();
        }
    }

    @Test
    void writesTheReceivedBytesOfWhatIsLeftThenWhatWasAdded() {
        List<String[]> fields = List.of(new String[] {"Host", "app.test"}, new String[] {"Connection", "close"},
                new String[] {"X-Custom", "v"});
        Http1Headers h = parsed(fields, new Random(1));
        h.remove(HttpHeaderNames.CONNECTION);
        h.set("X-Forwarded-For", "10.0.0.1");
        h.set(HttpHeaderNames.VIA, "1.1 bascule");
        String wire = wire(h);
        assertThat(wire).matches("Host:[ \t]*app\\.test\r\nX-Custom:[ \t]*v\r\n"
                + "X-Forwarded-For: 10\\.0\\.0\\.1\r\nvia: 1\\.1 bascule\r\n");
    }

    @Test
    void aCheckedSetReplacesLikeSetAndLeavesOtherHeadersToTheirOwnChecks() {
        Http1Headers h = parsed(List.of(new String[] {"Via", "1.0 a"}, new String[] {"Host", "app.test"},
                new String[] {"via", "1.1 b"}), new Random(1));
        Http1Headers.setChecked(h, HttpHeaderNames.VIA, "1.0 a, 1.1 b, 1.1 bascule");
        Http1Headers.setChecked(h, AsciiString.cached("x-request-id"), "0af7651916cd43dd8448eb211c80319c");
        String wire = wire(h);
        assertThat(wire).matches("Host:[ \t]*app\\.test\r\nvia: 1\\.0 a, 1\\.1 b, 1\\.1 bascule\r\n"
                + "x-request-id: 0af7651916cd43dd8448eb211c80319c\r\n");
        assertThat(h.getAll(HttpHeaderNames.VIA)).containsExactly("1.0 a, 1.1 b, 1.1 bascule");

        HttpHeaders netty = new DefaultHttpHeaders();
        assertThatThrownBy(() -> Http1Headers.setChecked(netty, HttpHeaderNames.VIA, "1.1 x\r\nX-Smuggled: y"))
                .as("a message of another kind keeps its headers' own checks")
                .isInstanceOf(IllegalArgumentException.class);
        Http1Headers.setChecked(netty, HttpHeaderNames.VIA, "1.1 bascule");
        assertThat(netty.get(HttpHeaderNames.VIA)).isEqualTo("1.1 bascule");
    }

    @Test
    void refusesWhatCouldSplitTheHeadAndChangesNothingThen() {
        Http1Headers h = parsed(List.<String[]>of(new String[] {"X-A", "1"}), new Random(1));
        assertThatThrownBy(() -> h.set("X-A", "1\r\nX-Smuggled: y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X-B", "\u0000")).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.get("x-a")).isEqualTo("1");
        assertThat(h.size()).isEqualTo(1);
    }

    @Test
    void readsNumbersAndDatesAndListsMembersIgnoringCase() {
        Http1Headers h = parsed(List.of(new String[] {"Content-Length", "42"},
                new String[] {"Connection", "Keep-Alive, Upgrade"},
                new String[] {"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}), new Random(3));
        assertThat(h.getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(42);
        assertThat(h.getShort(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo((short) 42);
        assertThat(h.getTimeMillis(HttpHeaderNames.DATE)).isEqualTo(784111777000L);
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)).isTrue();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, false)).isFalse();
        assertThat(h.getInt("X-None", 7)).isEqualTo(7);
        h.clear();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.iteratorCharSequence().hasNext()).isFalse();
    }

    private static String pick(String[] from, Random random) {
        return from[random.nextInt(from.length)];
    }
}
