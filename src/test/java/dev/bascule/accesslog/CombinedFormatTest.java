package dev.bascule.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Apache's combined format plus the request time, byte for byte, with nginx's escaping. */
class CombinedFormatTest {
    /** Apache's combined format as log parsers read it (GoAccess' COMBINED), with the request time after it. */
    static final Pattern COMBINED = Pattern.compile("^(\\S+) - - \\[(\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2}"
            + " [+-]\\d{4})] \"((?:[^\"\\\\]|\\\\.)*)\" (\\d{3}|-) (\\d+|-) \"((?:[^\"\\\\]|\\\\.)*)\""
            + " \"((?:[^\"\\\\]|\\\\.)*)\" (\\d+\\.\\d{3})\n$");

    @Test
    void aProxiedRequest() throws Exception {
        String line = Records.line(LineFormat.combined(ZoneOffset.UTC), Records.proxied());
        assertThat(line).isEqualTo("10.1.2.3 - - [14/Mar/2026:09:26:53 +0000] \"GET /a?b=1 HTTP/1.1\" 200 1843"
                + " \"https://example.com/\" \"curl/8.5.0\" 0.012\n");
        assertThat(line).matches(COMBINED);
    }

    @Test
    void theTimeIsInTheGivenZoneWithItsOffset() throws Exception {
        assertThat(Records.line(LineFormat.combined(ZoneId.of("America/Los_Angeles")), Records.proxied()))
                .startsWith("10.1.2.3 - - [14/Mar/2026:02:26:53 -0700] ");
        assertThat(Records.line(LineFormat.combined(ZoneOffset.ofHoursMinutes(5, 30)), Records.proxied()))
                .startsWith("10.1.2.3 - - [14/Mar/2026:14:56:53 +0530] ");
    }

    @Test
    void missingValuesAndAnEmptyBodyAreDashes() throws Exception {
        String noRoute = Records.line(LineFormat.combined(ZoneOffset.UTC), Records.noRoute());
        assertThat(noRoute).isEqualTo(
                "::1 - - [14/Mar/2026:09:26:53 +0000] \"DELETE /x HTTP/2.0\" 404 - \"-\" \"-\" 0.000\n");
        assertThat(noRoute).matches(COMBINED);
        String malformed = Records.line(LineFormat.combined(ZoneOffset.UTC), Records.malformed());
        assertThat(malformed).isEqualTo("10.1.2.3 - - [14/Mar/2026:09:26:53 +0000] \"-\" 400 - \"-\" \"-\" 1.500\n");
        assertThat(malformed).matches(COMBINED);
    }

    @Test
    void quotesBackslashesControlAndNonAsciiBytesAreHexEscaped() throws Exception {
        String agent = "Mozilla \"q\" b\\s\u0001\t\nx é 中 \uD83D\uDE00 \uD800 \u007f";
        String line = Records.line(LineFormat.combined(ZoneOffset.UTC), Records.withUserAgent(agent));

        assertThat(line).contains(" \"Mozilla \\x22q\\x22 b\\x5Cs\\x01\\x09\\x0Ax \\xE9 \\xE4\\xB8\\xAD"
                + " \\xF0\\x9F\\x98\\x80 ? \\x7F\" 0.012\n");
        assertThat(line).matches(COMBINED);
    }
}
