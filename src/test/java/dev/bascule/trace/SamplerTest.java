package dev.bascule.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sampling decisions on seeded randomness. */
class SamplerTest {
    private static final int DRAWS = 200_000;

    private static int sampled(Sampler sampler, boolean parentSampled, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int count = 0;
        for (int i = 0; i < DRAWS; i++) {
            if (sampler.sample(parentSampled, random.nextLong())) {
                count++;
            }
        }
        return count;
    }

    @Test
    void aSampledCallerIsAlwaysHonoured() {
        assertThat(sampled(new Sampler(0), true, 1)).isEqualTo(DRAWS);
        assertThat(sampled(new Sampler(0.01), true, 2)).isEqualTo(DRAWS);
    }

    @Test
    void zeroSamplesNothingElseAndOneSamplesEverything() {
        assertThat(sampled(new Sampler(0), false, 3)).isZero();
        assertThat(sampled(new Sampler(1), false, 4)).isEqualTo(DRAWS);
        Sampler all = new Sampler(1);
        assertThat(all.sample(false, -1L)).as("the largest draw").isTrue();
        assertThat(all.sample(false, 0L)).isTrue();
        assertThat(new Sampler(0).sample(false, 0L)).as("the smallest draw").isFalse();
    }

    @Test
    void otherwiseTheFractionOfRequests() {
        for (double fraction : new double[] {0.01, 0.25, 0.5, 0.9}) {
            double expected = fraction * DRAWS;
            double sd = Math.sqrt(DRAWS * fraction * (1 - fraction));
            int got = sampled(new Sampler(fraction), false, 5);
            assertThat((double) got).as("fraction " + fraction).isBetween(expected - 5 * sd, expected + 5 * sd);
        }
    }

    @Test
    void theFractionIsFromZeroToOne() {
        assertThatThrownBy(() -> new Sampler(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampler(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampler(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Sampler(0.5)).isEqualTo(new Sampler(0.5)).isNotEqualTo(new Sampler(0.25));
    }
}
