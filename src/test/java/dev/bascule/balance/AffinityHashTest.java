package dev.bascule.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AffinityHashTest {

    @Test
    void charsAndTheirUtf8BytesHashAlike() {
        String[] samples = {
            "", "a", "a\0", "12345678", "123456789", "10.0.0.1", "2001:db8::1", "session=abc; path=/",
            "é", "€uro", "日本語のクッキー", "emoji 😀 pair", "lone \uD800 high", "lone \uDC00 low", "end \uD83D"
        };
        for (String s : samples) {
            assertThat(AffinityHash.hash64(s)).as(s).isEqualTo(AffinityHash.hash64(s.getBytes(StandardCharsets.UTF_8)));
            assertThat(AffinityHash.hash64(new StringBuilder(s))).as(s).isEqualTo(AffinityHash.hash64(s));
        }
    }

    @Test
    void byteRangeHashesOnlyTheRange() {
        byte[] bytes = "xx10.0.0.1yy".getBytes(StandardCharsets.US_ASCII);

        assertThat(AffinityHash.hash64(bytes, 2, 8)).isEqualTo(AffinityHash.hash64("10.0.0.1"));
        assertThatThrownBy(() -> AffinityHash.hash64(bytes, 8, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void isFixedAcrossRunsAndVersions() {
        // Affinity must survive restarts and agree across a fleet; changing these values moves every client.
        assertThat(AffinityHash.hash64("")).isEqualTo(AffinityHash.hash64(new byte[0]));
        assertThat(AffinityHash.hash64("10.0.0.1")).isEqualTo(EXPECTED_10_0_0_1);
    }

    @Test
    void nearbyKeysSpreadOverAllBits() {
        Set<Long> seen = new HashSet<>();
        long[] ones = new long[64];
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long h = AffinityHash.hash64("10.0." + (i >> 8) + "." + (i & 0xFF));
            seen.add(h);
            for (int b = 0; b < 64; b++) {
                ones[b] += h >>> b & 1;
            }
        }
        assertThat(seen).hasSize(n);
        for (int b = 0; b < 64; b++) {
            assertThat(ones[b] / (double) n).as("bit %d", b).isBetween(0.47, 0.53);
        }
    }

    private static final long EXPECTED_10_0_0_1 = 6036546422836276240L;
}
