package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @Test
    void durations() {
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Units.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.parseDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Units.parseDuration("1h2m3s4ms")).isEqualTo(Duration.ofMillis(3_723_004));
        assertThat(Units.parseDuration("0s250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("999999999h")).isEqualTo(Duration.ofHours(999_999_999));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "2", "-2s", "1.5s", "2 s", "2sec", "2S", "1s1m", "1s1s", "2d", "1m30", "1000000000s", "ms"})
    void badDurations(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
    }

    @Test
    void durationMessagesSayWhatToWrite() {
        assertThatThrownBy(() -> Units.parseDuration("30")).hasMessage(
                "duration '30' has no unit; write it as a number with a unit: 500ms, 2s, 1m, 1h, or a combination such as 1m30s");
        assertThatThrownBy(() -> Units.parseDuration("0ms")).hasMessage("duration '0ms' must be greater than zero");
        assertThatThrownBy(() -> Units.parseDuration("1s1m")).hasMessageEndingWith("(units largest first, each once)");
    }

    @Test
    void sizes() {
        assertThat(Units.parseSize("8192")).isEqualTo(8192);
        assertThat(Units.parseSize("8k")).isEqualTo(8192);
        assertThat(Units.parseSize("8K")).isEqualTo(8192);
        assertThat(Units.parseSize("8KiB")).isEqualTo(8192);
        assertThat(Units.parseSize("1m")).isEqualTo(1 << 20);
        assertThat(Units.parseSize("1MiB")).isEqualTo(1 << 20);
        assertThat(Units.parseSize("2047m")).isEqualTo(2047 << 20);
        assertThat(Units.parseSize("2147483647")).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "0k", "-1", "8 k", "8kb", "8g", "1.5k", "k", "2048m", "2147483648", "99999999999", "0x10", "8_192"})
    void badSizes(String text) {
        assertThatThrownBy(() -> Units.parseSize(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
    }
}
