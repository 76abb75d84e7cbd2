package dev.bascule.balance;

import static dev.bascule.balance.TestServers.server;
import static dev.bascule.balance.TestServers.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.bascule.upstream.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashTest {
    private static final int KEYS = 10_000;

    @Test
    void sameKeySameServer() {
        Hash hash = new Hash(weighted(1, 1, 1, 1));
        for (int k = 0; k < 100; k++) {
            TestContext key = key(k);
            Server first = hash.pick(key);
            for (int i = 0; i < 5; i++) {
                assertThat(hash.pick(key)).isSameAs(first);
            }
        }
    }

    @Test
    void ringDoesNotDependOnCandidateOrder() {
        List<Server> s = weighted(1, 2, 3);
        List<Server> reversed = new ArrayList<>(s);
        Collections.reverse(reversed);

        assertThat(owners(new Hash(reversed))).isEqualTo(owners(new Hash(s)));
    }

    @Test
    void distributionFollowsWeights() {
        List<Server> s = weighted(1, 1, 2, 4);

        Map<Server, Integer> counts = new HashMap<>();
        for (Server owner : owners(new Hash(s))) {
            counts.merge(owner, 1, Integer::sum);
        }

        for (Server server : s) {
            assertThat(counts.get(server) / (double) KEYS)
                    .as("share of %s", server)
                    .isCloseTo(server.weight() / 8.0, offset(0.03));
        }
    }

    @Test
    void addingAServerMovesAboutItsShareOfKeysAllToIt() {
        List<Server> ten = weighted(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        List<Server> eleven = new ArrayList<>(ten);
        Server added = server(9011, 1);
        eleven.add(added);

        List<Server> before = owners(new Hash(ten));
        List<Server> after = owners(new Hash(eleven));

        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (before.get(k) != after.get(k)) {
                moved++;
                assertThat(after.get(k)).isSameAs(added);
            }
        }
        assertThat(moved / (double) KEYS).isBetween(0.05, 0.15);
    }

    @Test
    void removingAServerMovesOnlyItsKeys() {
        List<Server> ten = weighted(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Server removed = ten.get(3);
        List<Server> nine = new ArrayList<>(ten);
        nine.remove(removed);

        List<Server> before = owners(new Hash(ten));
        List<Server> after = owners(new Hash(nine));

        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (before.get(k) == removed) {
                moved++;
            } else {
                assertThat(after.get(k)).isSameAs(before.get(k));
            }
        }
        assertThat(moved / (double) KEYS).isBetween(0.05, 0.15);
    }

    @Test
    void excludedOwnerWalksToAnotherServerConsistently() {
        List<Server> s = weighted(1, 1, 1, 1, 1);
        Hash hash = new Hash(s);
        for (int k = 0; k < 200; k++) {
            long affinity = key(k).affinityHash();
            Server owner = hash.pick(key(k));
            TestContext retry = new TestContext(affinity, owner);

            Server second = hash.pick(retry);

            assertThat(second).isNotNull().isNotSameAs(owner);
            assertThat(hash.pick(retry)).isSameAs(second);
            // Excluding a server the key does not use changes nothing.
            Server other = s.get((s.indexOf(owner) + 1) % s.size());
            if (other != owner) {
                assertThat(hash.pick(new TestContext(affinity, other))).isSameAs(owner);
            }
        }
    }

    @Test
    void allButOneExcludedFindsIt() {
        List<Server> s = weighted(1, 1, 1);
        Hash hash = new Hash(s);
        for (int k = 0; k < 50; k++) {
            assertThat(hash.pick(new TestContext(key(k).affinityHash(), s.get(0), s.get(2)))).isSameAs(s.get(1));
        }
    }

    @Test
    void allButOneExcludedOnARingLongerThanTheWalk() {
        List<Server> s = weighted(100, 100, 100, 1);
        Hash hash = new Hash(s);
        for (int k = 0; k < 50; k++) {
            TestContext retry = new TestContext(key(k).affinityHash(), s.get(0), s.get(1), s.get(2));
            assertThat(hash.pick(retry)).isSameAs(s.get(3));
        }
    }

    @Test
    void allExcludedGivesNull() {
        List<Server> s = weighted(1, 2);
        assertThat(new Hash(s).pick(new TestContext(42, s.get(0), s.get(1)))).isNull();
    }

    @Test
    void emptyPoolGivesNull() {
        assertThat(new Hash(List.of()).pick(TestContext.NONE)).isNull();
    }

    @Test
    void ringHasPointsPerUnitOfWeightUpToItsCap() {
        assertThat(new Hash(weighted(1, 3)).ringSize()).isEqualTo(4 * Hash.POINTS_PER_WEIGHT);
        assertThat(new Hash(weighted(10_000, 1)).ringSize()).isBetween(Hash.MAX_POINTS - 2, Hash.MAX_POINTS + 2);
    }

    private static TestContext key(int k) {
        return new TestContext(AffinityHash.hash64("client-" + k));
    }

    /** The server each of {@link #KEYS} keys maps to. */
    private static List<Server> owners(Hash hash) {
        List<Server> owners = new ArrayList<>(KEYS);
        for (int k = 0; k < KEYS; k++) {
            owners.add(hash.pick(key(k)));
        }
        return owners;
    }

    @Test
    void ownerIsWhereAPickWithNothingExcludedGoesAndChangesNothing() {
        Hash hash = new Hash(weighted(1, 2, 3));
        for (int k = 0; k < 1_000; k++) {
            long h = AffinityHash.hash64("client-" + k);
            assertThat(hash.owner(h)).isSameAs(hash.pick(new TestContext(h)));
        }
        assertThat(new Hash(List.of()).owner(42)).isNull();
    }
}
