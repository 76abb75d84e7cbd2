package dev.bascule.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitsTest {

    private static Map<String, Integer> split(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return m;
    }

    @Test
    void twoSidesTakeWhatTheOtherLeaves() {
        assertThat(Splits.withShare(split("blue", 100, "green", 0), "green", 25))
                .containsExactly(Map.entry("blue", 75), Map.entry("green", 25));
        assertThat(Splits.withShare(split("blue", 90, "green", 10), "green", 0))
                .containsExactly(Map.entry("blue", 100), Map.entry("green", 0));
    }

    @Test
    void moreSidesDivideTheRestInTheirProportions() {
        // blue:canary = 3:1 before; green takes 20, the other 80 go 60/20
        assertThat(Splits.withShare(split("blue", 60, "canary", 20, "green", 20), "green", 20))
                .containsExactly(Map.entry("blue", 60), Map.entry("canary", 20), Map.entry("green", 20));
        assertThat(Splits.withShare(split("blue", 60, "canary", 20, "green", 20), "green", 50))
                .containsExactly(Map.entry("blue", 38), Map.entry("canary", 12), Map.entry("green", 50));
    }

    @Test
    void integerWeightsAlwaysSumToAHundred() {
        Map<String, Integer> from = split("a", 33, "b", 33, "c", 34, "d", 0);
        for (int share = 0; share <= 100; share++) {
            Map<String, Integer> s = Splits.withShare(from, "d", share);
            assertThat(Splits.valid(s)).as("share %d: %s", share, s).isTrue();
            assertThat(s.get("d")).isEqualTo(share);
        }
    }

    @Test
    void othersWithNothingShareEvenly() {
        assertThat(Splits.withShare(split("a", 0, "b", 0, "c", 100), "c", 0))
                .containsExactly(Map.entry("a", 50), Map.entry("b", 50), Map.entry("c", 0));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> Splits.withShare(split("a", 100), "b", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Splits.withShare(split("a", 50, "b", 50), "b", 101))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Splits.valid(split("a", 50, "b", 49))).isFalse();
        assertThat(Splits.valid(split("a", 101, "b", -1))).isFalse();
    }
}
