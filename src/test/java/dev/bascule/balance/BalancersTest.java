package dev.bascule.balance;

import static dev.bascule.balance.TestServers.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.upstream.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BalancersTest {
    private final Balancers balancers = new Balancers(() -> new SplittableRandom(1));

    @Test
    void namesInAFixedOrder() {
        assertThat(balancers.names()).containsExactly("round_robin", "least_conn", "random_two", "hash", "ewma");
        assertThat(Balancers.standard().names()).containsExactlyElementsOf(balancers.names());
    }

    @Test
    void eachNameBuildsItsStrategy() {
        List<Server> s = weighted(1, 1);
        assertThat(balancers.create("round_robin", s, null)).isInstanceOf(RoundRobin.class);
        assertThat(balancers.create("least_conn", s, null)).isInstanceOf(LeastConn.class);
        assertThat(balancers.create("random_two", s, null)).isInstanceOf(RandomTwo.class);
        assertThat(balancers.create("hash", s, null)).isInstanceOf(Hash.class);
    }

    @Test
    void unknownNameFails() {
        assertThatThrownBy(() -> balancers.factory("fastest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fastest")
                .hasMessageContaining("round_robin, least_conn, random_two, hash, ewma");
        assertThatThrownBy(() -> balancers.create("ROUND_ROBIN", weighted(1), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyStrategyPicksFromItsCandidates() {
        List<Server> s = weighted(1, 2, 3);
        for (String name : balancers.names()) {
            Balancer b = balancers.create(name, s, null);
            for (int i = 0; i < 20; i++) {
                assertThat(b.pick(new TestContext(i))).as(name).isIn(s);
            }
        }
    }

    @Test
    void emptyPoolPicksNullForEveryStrategy() {
        for (String name : balancers.names()) {
            assertThat(balancers.create(name, List.of(), null).pick(TestContext.NONE)).as(name).isNull();
        }
    }

    @Test
    void standardRegistryWorksAcrossThreads() throws Exception {
        List<Server> s = weighted(1, 1);
        Balancer b = Balancers.standard().create("random_two", s, null);
        Server[] fromOtherThread = new Server[1];
        Thread t = new Thread(() -> fromOtherThread[0] = b.pick(TestContext.NONE));
        t.start();
        t.join();

        assertThat(fromOtherThread[0]).isIn(s);
        assertThat(b.pick(TestContext.NONE)).isIn(s);
    }

    @Test
    void rebuildThroughTheRegistryCarriesState() {
        List<Server> s = weighted(1, 1, 1);
        Balancer first = balancers.create("round_robin", s, null);
        first.pick(TestContext.NONE);

        assertThat(balancers.create("round_robin", s, first).pick(TestContext.NONE)).isSameAs(s.get(1));
    }

    @Test
    void balancePackageImportsNoNetty() throws IOException {
        Path dir = Path.of("src/main/java/dev/bascule/balance");
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain("io.netty");
            }
        }
    }
}
