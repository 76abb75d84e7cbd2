package dev.bascule.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The traceparent rules of W3C Trace Context (sections 3.2.2 and 3.2.4), with the cases of its test suite. */
class TraceParentTest {
    static final String SPEC_EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsTheSpecExample() {
        assertThat(TraceParent.isValid(SPEC_EXAMPLE)).isTrue();
        assertThat(TraceParent.traceIdHigh(SPEC_EXAMPLE)).isEqualTo(0x4bf92f3577b34da6L);
        assertThat(TraceParent.traceIdLow(SPEC_EXAMPLE)).isEqualTo(0xa3ce929d0e0e4736L);
        assertThat(TraceParent.parentId(SPEC_EXAMPLE)).isEqualTo(0x00f067aa0ba902b7L);
        assertThat(TraceParent.sampled(SPEC_EXAMPLE)).isTrue();
        assertThat(TraceParent.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).isFalse();
    }

    @Test
    void theSampledFlagIsBitZeroWhateverTheOtherBits() {
        assertThat(TraceParent.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09")).isTrue();
        assertThat(TraceParent.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff")).isTrue();
        assertThat(TraceParent.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02")).isFalse();
        assertThat(TraceParent.sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "cc-12345678901234567890123456789012-1234567890123456-01",
        "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        "01-12345678901234567890123456789012-1234567890123456-00",
        "00-00000000000000000000000000000001-0000000000000001-00",
        "00-12345678901234560000000000000000-1234567890123456-01",
    })
    void higherVersionsAndEdgeIdsAreRead(String value) {
        assertThat(TraceParent.isValid(value)).isTrue();
    }

    @Test
    void aHigherVersionKeepsItsIds() {
        String future = "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like";
        assertThat(TraceParent.traceIdHigh(future)).isEqualTo(0x1234567890123456L);
        assertThat(TraceParent.traceIdLow(future)).isEqualTo(0x7890123456789012L);
        assertThat(TraceParent.parentId(future)).isEqualTo(0x1234567890123456L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00",
        "00-12345678901234567890123456789012-1234567890123456-01.", // version 00 is exactly 55 characters
        "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
        "ff-12345678901234567890123456789012-1234567890123456-01", // version ff is forbidden
        ".0-12345678901234567890123456789012-1234567890123456-01",
        "0.-12345678901234567890123456789012-1234567890123456-01",
        "000-12345678901234567890123456789012-1234567890123456-01",
        "0-12345678901234567890123456789012-1234567890123456-01",
        "00-00000000000000000000000000000000-1234567890123456-01", // all-zero trace id
        "00-.2345678901234567890123456789012-1234567890123456-01",
        "00-1234567890123456789012345678901.-1234567890123456-01",
        "00-123456789012345678901234567890123-1234567890123456-01",
        "00-1234567890123456789012345678901-1234567890123456-01",
        "00-12345678901234567890123456789012-0000000000000000-01", // all-zero parent id
        "00-12345678901234567890123456789012-.234567890123456-01",
        "00-12345678901234567890123456789012-123456789012345.-01",
        "00-12345678901234567890123456789012-12345678901234567-01",
        "00-12345678901234567890123456789012-123456789012345-01",
        "00-12345678901234567890123456789012-1234567890123456-.0",
        "00-12345678901234567890123456789012-1234567890123456-0.",
        "00-12345678901234567890123456789012-1234567890123456-0",
        "00-12345678901234567890123456789012-1234567890123456-012",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // upper-case hex is not HEXDIGLC
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    })
    void invalidValuesAreIgnored(String value) {
        assertThat(TraceParent.isValid(value)).as(value).isFalse();
    }

    @Test
    void nullIsInvalid() {
        assertThat(TraceParent.isValid(null)).isFalse();
    }

    @Test
    void writesVersion00ThatReadsBack() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] buffer = new byte[TraceParent.LENGTH];
        for (int i = 0; i < 1000; i++) {
            long high = random.nextLong();
            long low = random.nextLong() | 1;
            long span = random.nextLong() | 1;
            boolean sampled = random.nextBoolean();
            TraceParent.write(buffer, high, low, span, sampled);
            String text = new String(buffer, StandardCharsets.US_ASCII);
            assertThat(TraceParent.isValid(text)).as(text).isTrue();
            assertThat(TraceParent.traceIdHigh(text)).isEqualTo(high);
            assertThat(TraceParent.traceIdLow(text)).isEqualTo(low);
            assertThat(TraceParent.parentId(text)).isEqualTo(span);
            assertThat(TraceParent.sampled(text)).isEqualTo(sampled);
        }
        TraceParent.write(buffer, 0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, true);
        assertThat(new String(buffer, StandardCharsets.US_ASCII)).isEqualTo(SPEC_EXAMPLE);
    }
}
