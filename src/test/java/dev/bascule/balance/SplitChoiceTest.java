package dev.bascule.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Splits by turns are exact over each cycle; splits by key follow the weights and only ever move keys onward. */
class SplitChoiceTest {
    private static final long[] TWO = {AffinityHash.hash64("web-blue"), AffinityHash.hash64("web-green")};
    private static final long[] THREE = {AffinityHash.hash64("a"), AffinityHash.hash64("b"),
            AffinityHash.hash64("c")};

    private static SplitChoice choice(long[] seeds, int... weights) {
        return new SplitChoice(weights, seeds, new AtomicLong());
    }

    @Test
    void byTurnsNinetyTenIsExactlyNineHundredAndOneHundredOverOneThousand() {
        SplitChoice c = choice(TWO, 90, 10);
        int[] counts = new int[2];
        int longestGreenRun = 0;
        int run = 0;
        for (int i = 0; i < 1000; i++) {
            int side = c.next();
            counts[side]++;
            run = side == 1 ? run + 1 : 0;
            longestGreenRun = Math.max(longestGreenRun, run);
            if (i % 10 == 9) {
                assertThat(counts[1]).as("every cycle of 10 holds one green").isEqualTo((i + 1) / 10);
            }
        }
        assertThat(counts).containsExactly(900, 100);
        assertThat(longestGreenRun).isEqualTo(1);
        assertThat(c.cycleLength()).as("90/10 reduced by the gcd").isEqualTo(10);
    }

    @Test
    void byTurnsThreeSidesAreExactOverEachHundred() {
        SplitChoice c = choice(THREE, 50, 30, 20);
        for (int cycle = 0; cycle < 3; cycle++) {
            int[] counts = new int[3];
            for (int i = 0; i < 10; i++) {
                counts[c.next()]++;
            }
            assertThat(counts).containsExactly(5, 3, 2);
        }
    }

    @Test
    void aSideOfWeightZeroIsNeverChosenAndTheTurnCarriesIntoTheNextChoice() {
        AtomicLong position = new AtomicLong();
        SplitChoice first = new SplitChoice(new int[] {0, 100}, TWO, position);
        for (int i = 0; i < 50; i++) {
            assertThat(first.next()).isEqualTo(1);
            assertThat(first.stick(i * 7919L)).isEqualTo(1);
        }
        SplitChoice next = new SplitChoice(new int[] {50, 50}, TWO, first.position());
        assertThat(next.position().get()).isEqualTo(50);
        int peeked = next.peek();
        assertThat(next.next()).isEqualTo(peeked);
    }

    @Test
    void weightsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> choice(TWO, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> choice(TWO, -1, 101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SplitChoice(new int[] {1}, TWO, new AtomicLong()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byKeyEachSideGetsItsWeightsShareOfKeys() {
        SplittableRandom random = new SplittableRandom(7);
        SplitChoice c = choice(THREE, 50, 30, 20);
        int[] counts = new int[3];
        int keys = 100_000;
        for (int i = 0; i < keys; i++) {
            counts[c.stick(AffinityHash.hash64(Long.toHexString(random.nextLong())))]++;
        }
        assertThat(counts[0] / (double) keys).isCloseTo(0.5, offset(0.01));
        assertThat(counts[1] / (double) keys).isCloseTo(0.3, offset(0.01));
        assertThat(counts[2] / (double) keys).isCloseTo(0.2, offset(0.01));
    }

    @Test
    void byKeyRaisingGreenOnlyEverMovesKeysFromBlueToGreen() {
        SplittableRandom random = new SplittableRandom(11);
        long[] keys = new long[20_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = AffinityHash.hash64("client-" + random.nextLong());
        }
        int[] before = sides(choice(TWO, 100, 0), keys);
        for (int green = 1; green <= 100; green++) {
            int[] after = sides(choice(TWO, 100 - green, green), keys);
            int onGreen = 0;
            for (int i = 0; i < keys.length; i++) {
                if (before[i] == 1) {
                    assertThat(after[i]).as("a key on green stays there when green grows to %d", green).isEqualTo(1);
                }
                onGreen += after[i];
            }
            assertThat(onGreen / (double) keys.length).isCloseTo(green / 100.0, offset(0.02));
            before = after;
        }
        assertThat(before).as("at 100 every key is on green").containsOnly(1);
    }

    @Test
    void byKeyARolloutToAnySideOfThreeMovesKeysOnlyOntoThatSide() {
        SplittableRandom random = new SplittableRandom(13);
        long[] keys = new long[20_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong();
        }
        // b, in the middle, grows; a and c keep their 3:1 proportion, as a rollout divides the rest.
        int[][] steps = {{60, 20, 20}, {45, 40, 15}, {30, 60, 10}, {15, 80, 5}, {0, 100, 0}};
        int[] before = sides(choice(THREE, 75, 0, 25), keys);
        for (int[] w : steps) {
            int[] after = sides(choice(THREE, w), keys);
            for (int i = 0; i < keys.length; i++) {
                if (after[i] != before[i]) {
                    assertThat(after[i]).as("a key that moves goes to b").isEqualTo(1);
                }
            }
            before = after;
        }
    }

    @Test
    void aSideTakenOutGivesItsKeysToTheOthersAndGetsThemBack() {
        SplittableRandom random = new SplittableRandom(17);
        long[] keys = new long[5_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong();
        }
        int[] normal = sides(choice(THREE, 50, 30, 20), keys);
        int[] bDown = sides(choice(THREE, 50, 0, 20), keys);
        for (int i = 0; i < keys.length; i++) {
            if (normal[i] != 1) {
                assertThat(bDown[i]).as("keys of a and c stay").isEqualTo(normal[i]);
            } else {
                assertThat(bDown[i]).isNotEqualTo(1);
            }
        }
        assertThat(sides(choice(THREE, 50, 30, 20), keys)).as("a pure function of key and weights")
                .containsExactly(normal);
    }

    private static int[] sides(SplitChoice c, long[] keys) {
        int[] sides = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            sides[i] = c.stick(keys[i]);
        }
        return sides;
    }
}
