package dev.bascule.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The JSON line: every key, numbers as numbers, times and durations as documented, escaping by RFC 8259. */
class JsonFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aProxiedRequest() throws Exception {
        assertThat(Records.line(LineFormat.json(), Records.proxied())).isEqualTo("{"
                + "\"time\":\"2026-03-14T09:26:53.589Z\",\"client\":\"10.1.2.3\",\"method\":\"GET\","
                + "\"host\":\"blue.labs.test\",\"uri\":\"/a?b=1\",\"protocol\":\"HTTP/1.1\",\"status\":200,"
                + "\"bytes_in\":12,\"bytes_out\":1843,\"duration\":0.012,\"upstream\":\"web-blue\","
                + "\"server\":\"127.0.0.1:9001\",\"upstream_response_time\":0.011,\"attempts\":1,\"route\":\"blue\","
                + "\"request_id\":\"r-42\",\"tls\":null,\"user_agent\":\"curl/8.5.0\","
                + "\"referer\":\"https://example.com/\",\"local\":null}\n");
    }

    @Test
    void aLocalAnswerHasNoUpstreamPartAndSaysWhy() throws Exception {
        assertThat(Records.line(LineFormat.json(), Records.noRoute())).isEqualTo("{"
                + "\"time\":\"2026-03-14T09:26:53.591Z\",\"client\":\"::1\",\"method\":\"DELETE\","
                + "\"host\":\"nowhere.test\",\"uri\":\"/x\",\"protocol\":\"HTTP/2.0\",\"status\":404,"
                + "\"bytes_in\":40,\"bytes_out\":0,\"duration\":0.000,\"upstream\":null,\"server\":null,"
                + "\"upstream_response_time\":null,\"attempts\":0,\"route\":null,\"request_id\":null,"
                + "\"tls\":\"TLSv1.3\",\"user_agent\":null,\"referer\":null,\"local\":\"no_route\"}\n");
    }

    @Test
    void aMalformedRequestKeepsEveryKey() throws Exception {
        JsonNode line = JSON.readTree(Records.line(LineFormat.json(), Records.malformed()));
        assertThat(line.size()).isEqualTo(20);
        assertThat(line.get("method").isNull()).isTrue();
        assertThat(line.get("uri").isNull()).isTrue();
        assertThat(line.get("duration").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(line.get("local").asText()).isEqualTo("bad_request");
    }

    @Test
    void quotesControlCharactersAndNonAsciiAreEscapedIntoOneAsciiLine() throws Exception {
        String agent = "Mozilla \"quoted\" back\\slash\u0001\t\r\nnext é ü 中 \uD83D\uDE00 \u2028";
        String line = Records.line(LineFormat.json(), Records.withUserAgent(agent));

        assertThat(line).endsWith("}\n");
        assertThat(line.indexOf('\n')).as("one line").isEqualTo(line.length() - 1);
        assertThat(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n')).as("printable ASCII").isTrue();
        assertThat(line).contains("\"user_agent\":\"Mozilla \\\"quoted\\\" back\\\\slash\\u0001\\t\\r\\nnext ");
        assertThat(JSON.readTree(line).get("user_agent").asText()).isEqualTo(agent);
    }

    @Test
    void aHeaderValueThatIsNoStringIsCopiedWhenAccepted() throws Exception {
        StringBuilder agent = new StringBuilder("agent/1 \"x\"");
        Entry e = new Entry();
        e.copy(Records.withUserAgent(agent));
        agent.setLength(0);
        agent.append("changed after the record was handed on");
        LineBuffer out = new LineBuffer(64);
        LineFormat.json().append(e, out);

        assertThat(JSON.readTree(out.array(), 0, out.size()).get("user_agent").asText()).isEqualTo("agent/1 \"x\"");
    }

    @Test
    void durationsAreSecondsRoundedToTheMillisecond() {
        char[] buf = new char[32];
        assertThat(new String(buf, 0, LineFormat.seconds(0, buf))).isEqualTo("0.000");
        assertThat(new String(buf, 0, LineFormat.seconds(499_999, buf))).isEqualTo("0.000");
        assertThat(new String(buf, 0, LineFormat.seconds(500_000, buf))).isEqualTo("0.001");
        assertThat(new String(buf, 0, LineFormat.seconds(1_234_500_000L, buf))).isEqualTo("1.235");
        assertThat(new String(buf, 0, LineFormat.seconds(3_600_000_000_000L, buf))).isEqualTo("3600.000");
        assertThat(new String(buf, 0, LineFormat.seconds(-5, buf))).as("a clock that stepped back").isEqualTo("0.000");
    }

    @Test
    void linesOfSeveralSecondsAndYears() throws Exception {
        LineFormat json = LineFormat.json();
        LineBuffer out = new LineBuffer(64);
        for (String time : new String[] {"1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z",
                "2000-01-01T00:00:00.007Z", "2026-03-14T09:26:53.589Z"}) {
            Entry e = new Entry();
            e.copy(Records.proxied().end(0, java.time.Instant.parse(time).toEpochMilli()));
            json.append(e, out);
        }
        String[] lines = new String(out.array(), 0, out.size(), java.nio.charset.StandardCharsets.US_ASCII).split("\n");
        assertThat(lines).extracting(l -> JSON.readTree(l).get("time").asText()).containsExactly(
                "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2000-01-01T00:00:00.007Z",
                "2026-03-14T09:26:53.589Z");
    }
}
