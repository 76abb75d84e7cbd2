package dev.bascule.balance;

import static dev.bascule.balance.Picks.count;
import static dev.bascule.balance.Picks.picks;
import static dev.bascule.balance.TestServers.inFlight;
import static dev.bascule.balance.TestServers.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.bascule.upstream.Server;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RandomTwoTest {
    private final RandomGenerator seeded = new SplittableRandom(42);

    private RandomTwo randomTwo(List<Server> servers) {
        return new RandomTwo(servers, () -> seeded);
    }

    @Test
    void equalLoadFollowsWeights() {
        List<Server> s = weighted(1, 2, 3, 4);
        int total = 100_000;

        Map<Server, Integer> counts = count(picks(randomTwo(s), total));

        for (Server server : s) {
            assertThat(counts.get(server) / (double) total)
                    .as("share of %s", server)
                    .isCloseTo(server.weight() / 10.0, offset(0.01));
        }
    }

    @Test
    void avoidsAHeavilyLoadedServer() {
        List<Server> s = weighted(1, 1, 1, 1);
        inFlight(s.get(0), 100);
        inFlight(s.get(1), 1);
        int total = 10_000;

        Map<Server, Integer> counts = count(picks(randomTwo(s), total));

        // The two draws are distinct, so the loaded server always meets a lighter one.
        assertThat(counts.get(s.get(0))).isNull();
        // The mildly loaded one wins only when paired with the overloaded one: 1 pair in 6.
        assertThat(counts.get(s.get(1)) / (double) total).isCloseTo(1 / 6.0, offset(0.02));
    }

    @Test
    void lighterPerUnitOfWeightWins() {
        List<Server> s = weighted(4, 1);
        inFlight(s.get(0), 3); // 3/4 against 1/1
        inFlight(s.get(1), 1);

        assertThat(picks(randomTwo(s), 100)).containsOnly(s.get(0));
    }

    @Test
    void neverPicksExcluded() {
        List<Server> s = weighted(5, 1, 1, 1);
        TestContext retry = TestContext.excluding(s.get(0));

        Map<Server, Integer> counts = count(picks(randomTwo(s), retry, 3_000));

        assertThat(counts).doesNotContainKey(s.get(0)).containsKeys(s.get(1), s.get(2), s.get(3));
    }

    @Test
    void findsTheOnlyServerLeftWhenDrawsKeepMissing() {
        // The survivor holds 1/1001 of the weight, so draws nearly always miss and the scan must find it.
        List<Server> s = weighted(1000, 1);
        TestContext retry = TestContext.excluding(s.get(0));

        assertThat(picks(randomTwo(s), retry, 100)).containsOnly(s.get(1));
    }

    @Test
    void allExcludedGivesNull() {
        List<Server> s = weighted(1, 2, 3);

        assertThat(randomTwo(s).pick(TestContext.excluding(s.toArray(new Server[0])))).isNull();
    }

    @Test
    void singleCandidate() {
        List<Server> s = weighted(3);
        RandomTwo r = randomTwo(s);

        assertThat(r.pick(TestContext.NONE)).isSameAs(s.get(0));
        assertThat(r.pick(TestContext.excluding(s.get(0)))).isNull();
    }

    @Test
    void emptyPoolGivesNull() {
        assertThat(randomTwo(List.of()).pick(TestContext.NONE)).isNull();
    }

    @Test
    void sameSeedGivesSamePicks() {
        List<Server> s = weighted(1, 2, 3);
        RandomGenerator one = new SplittableRandom(7);
        RandomGenerator two = new SplittableRandom(7);

        assertThat(picks(new RandomTwo(s, () -> one), 1_000)).isEqualTo(picks(new RandomTwo(s, () -> two), 1_000));
    }
}
