package dev.bascule.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "a",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479", // UUID
        "4bf92f3577b34da6a3ce929d0e0e4736", // what Bascule makes
        "1-67891233-abcdef012345678912345678", // an AWS trace id
        "01HZX3K4V9J8Q2W5E6R7T8Y9U0", // a ULID
    })
    void idsOfOtherSystems(String id) {
        assertThat(RequestIds.isValid(id)).as(id).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"req:42.7_a-B", "edge-01:2024.06.01:000123", "A.B_C:D-E"})
    void lettersDigitsAndDotUnderscoreColonHyphen(String id) {
        assertThat(RequestIds.isValid(id)).isTrue();
    }

    @Test
    void oneTo128Characters() {
        assertThat(RequestIds.isValid("")).isFalse();
        assertThat(RequestIds.isValid("x".repeat(128))).isTrue();
        assertThat(RequestIds.isValid("x".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "has space", "comma,separated", "quote\"d", "semi;colon", "slash/x", "tab\tx", "line\nbreak", "cr\rx",
        "back\\slash", "brace{}", "équipe", "emoji😀", "nul\0x", "percent%41", "plus+x", "at@x", "star*x",
        "Root=1-67891233-abcdef012345678912345678",
    })
    void anythingThatCouldSplitALogLineOrAHeaderIsRefused(String id) {
        assertThat(RequestIds.isValid(id)).as(id).isFalse();
    }

    @Test
    void writesThirtyTwoLowercaseHexDigits() {
        byte[] id = new byte[RequestIds.LENGTH];
        RequestIds.write(id, 0x0123456789abcdefL, 0xfedcba9876543210L);
        String text = new String(id, StandardCharsets.US_ASCII);
        assertThat(text).isEqualTo("0123456789abcdeffedcba9876543210");
        assertThat(RequestIds.isValid(text)).isTrue();
    }

    @Test
    void aHexIdReadsAsTheDigitsWrittenForItsBits() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 1_000; i++) {
            long high = random.nextLong();
            long low = i == 0 ? 0 : random.nextLong();
            byte[] written = new byte[RequestIds.LENGTH];
            RequestIds.write(written, high, low);
            HexId id = new HexId(high, low);
            StringBuilder read = new StringBuilder();
            for (int k = 0; k < id.length(); k++) {
                read.append(id.charAt(k));
            }
            String expected = new String(written, StandardCharsets.US_ASCII);
            assertThat(read.toString()).isEqualTo(expected);
            assertThat(id.toString()).isEqualTo(expected);
            assertThat(id.subSequence(3, 20).toString()).isEqualTo(expected.substring(3, 20));
            assertThat(id).isEqualTo(new HexId(high, low));
        }
    }
}
