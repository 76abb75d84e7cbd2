package dev.bascule.balance;

import static dev.bascule.balance.Picks.count;
import static dev.bascule.balance.Picks.picks;
import static dev.bascule.balance.TestServers.inFlight;
import static dev.bascule.balance.TestServers.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.upstream.Server;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnTest {

    @Test
    void picksTheLeastLoaded() {
        List<Server> s = weighted(1, 1, 1);
        inFlight(s.get(0), 3);
        inFlight(s.get(1), 1);
        inFlight(s.get(2), 2);
        LeastConn lc = new LeastConn(s);

        assertThat(picks(lc, 5)).containsOnly(s.get(1));
    }

    @Test
    void tiesRotate() {
        List<Server> s = weighted(1, 1, 1);
        LeastConn lc = new LeastConn(s);

        assertThat(picks(lc, 6)).containsExactly(s.get(0), s.get(1), s.get(2), s.get(0), s.get(1), s.get(2));
    }

    @Test
    void tiesRotateAmongTheLeastLoadedOnly() {
        List<Server> s = weighted(1, 1, 1);
        inFlight(s.get(1), 1);
        LeastConn lc = new LeastConn(s);

        assertThat(count(picks(lc, 6))).containsEntry(s.get(0), 3).containsEntry(s.get(2), 3).hasSize(2);
    }

    @Test
    void loadIsPerUnitOfWeight() {
        List<Server> s = weighted(2, 1);
        inFlight(s.get(0), 2);
        inFlight(s.get(1), 1);
        LeastConn lc = new LeastConn(s);

        // 2/2 ties 1/1, so the pick rotates between them.
        assertThat(count(picks(lc, 4))).containsEntry(s.get(0), 2).containsEntry(s.get(1), 2);

        inFlight(s.get(1), 1); // 2/2 against 2/1
        assertThat(picks(lc, 4)).containsOnly(s.get(0));

        inFlight(s.get(0), 3); // 5/2 against 2/1
        assertThat(picks(lc, 4)).containsOnly(s.get(1));
    }

    @Test
    void followsLoadAsItChanges() {
        List<Server> s = weighted(1, 1);
        LeastConn lc = new LeastConn(s);

        for (int i = 0; i < 100; i++) {
            lc.pick(TestContext.NONE).state().requestStarted();
        }

        assertThat(s.get(0).state().inFlight()).isEqualTo(50);
        assertThat(s.get(1).state().inFlight()).isEqualTo(50);
    }

    @Test
    void skipsExcluded() {
        List<Server> s = weighted(1, 1, 1);
        inFlight(s.get(1), 5);
        inFlight(s.get(2), 9);
        LeastConn lc = new LeastConn(s);
        TestContext retry = TestContext.excluding(s.get(0));

        assertThat(picks(lc, retry, 3)).containsOnly(s.get(1));
        assertThat(lc.pick(TestContext.excluding(s.toArray(new Server[0])))).isNull();
    }

    @Test
    void emptyPoolGivesNull() {
        assertThat(new LeastConn(List.of()).pick(TestContext.NONE)).isNull();
    }
}
