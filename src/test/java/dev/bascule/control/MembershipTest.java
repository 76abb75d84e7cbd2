package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.upstream.ServerRegistry;
import dev.bascule.upstream.ServerState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator's commands on pool membership, validated in one place; no thread, no sockets. */
class MembershipTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final ServerRegistry registry = new ServerRegistry();
    private final Resolver resolver = host -> {
        if (host.equals("nowhere.invalid")) {
            throw new UnknownHostException(host);
        }
        return List.of(InetAddress.getByName(host.equals("origin.internal") ? "10.0.0.9" : host));
    };
    private Membership membership;

    @BeforeEach
    void setUp() {
        Map<String, List<Member>> pools = new LinkedHashMap<>();
        pools.put("app", new ArrayList<>(List.of(member("10.0.0.1:80", 1), member("10.0.0.2:80", 2))));
        pools.put("other", new ArrayList<>());
        membership = new Membership(registry, resolver, clock::get, pools);
    }

    private static Member member(String address, int weight) {
        String[] hp = address.split(":");
        return new Member(address, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), weight,
                Member.Source.CONFIG, null);
    }

    private List<String> addresses(String upstream) {
        return membership.of(upstream).stream().map(Member::address).toList();
    }

    @Test
    void addResolvesNormalizesAndStartsSlowStartNow() {
        clock.set(5_000);
        membership.add("app", "origin.internal:8080", 3, false);
        Member added = membership.find("app", "origin.internal:8080");
        assertThat(added.source()).isEqualTo(Member.Source.API);
        assertThat(added.weight()).isEqualTo(3);
        assertThat(added.resolved().getAddress().getHostAddress()).isEqualTo("10.0.0.9");
        ServerState state = membership.state("app", added);
        assertThat(state.routableSinceNanos()).isEqualTo(5_000);
        assertThat(state.probeHealthy()).isTrue();
        assertThat(membership.isFresh(state)).isFalse();
    }

    @Test
    void aServerAddedToAProbedPoolWaitsForItsFirstPass() {
        membership.add("app", "10.0.0.3:80", 1, true);
        ServerState state = membership.state("app", membership.find("app", "10.0.0.3:80"));
        assertThat(state.probeHealthy()).isFalse();
        assertThat(state.lastProbeProblem()).isEqualTo("not probed yet");
        assertThat(membership.isFresh(state)).isTrue();
        assertThat(membership.firstPass(state)).isTrue();
        assertThat(membership.firstPass(state)).as("only once").isFalse();
    }

    @Test
    void everyRefusedCommandSaysWhyAndChangesNothing() {
        assertRefused(() -> membership.add("nope", "10.0.0.3:80", 1, false), 404, "unknown upstream 'nope'");
        assertRefused(() -> membership.add("app", "10.0.0.3:80", 0, false), 400, "weight must be from 1 to 1000");
        assertRefused(() -> membership.add("app", "10.0.0.3:80", 1001, false), 400, "weight must be from 1 to 1000");
        assertRefused(() -> membership.add("app", "10.0.0.3", 1, false), 400, "");
        assertRefused(() -> membership.add("app", "10.0.0.3:0", 1, false), 400, "a server needs a real port");
        assertRefused(() -> membership.add("app", "nowhere.invalid:80", 1, false), 400, "cannot resolve nowhere.invalid");
        assertRefused(() -> membership.add("app", "10.0.0.1:80", 1, false), 409, "already in upstream 'app'");
        assertRefused(() -> membership.setWeight("app", "10.0.0.1:80", 0), 400, "weight must be from 1 to 1000");
        assertRefused(() -> membership.setWeight("app", "10.0.0.7:80", 5), 404, "no server 10.0.0.7:80 in upstream 'app'");
        assertRefused(() -> membership.drain("other", "10.0.0.1:80", true), 404, "no server");
        assertRefused(() -> membership.startRemoval("nope", "10.0.0.1:80"), 404, "unknown upstream");
        assertThat(addresses("app")).containsExactly("10.0.0.1:80", "10.0.0.2:80");
        assertThat(membership.find("app", "10.0.0.1:80").weight()).isEqualTo(1);
        assertThat(registry.size()).isZero();
    }

    private static void assertRefused(Runnable command, int status, String message) {
        assertThatThrownBy(command::run)
                .isInstanceOfSatisfying(CommandException.class, e -> assertThat(e.status()).isEqualTo(status))
                .hasMessageContaining(message);
    }

    @Test
    void drainIsIdempotentAndUndrainRestartsSlowStart() {
        assertThat(membership.drain("app", "10.0.0.1:80", true)).isNotNull();
        assertThat(membership.drain("app", "10.0.0.1:80", true)).as("already draining").isNull();
        clock.set(9_000);
        Member m = membership.drain("app", "10.0.0.1:80", false);
        assertThat(membership.state("app", m).draining()).isFalse();
        assertThat(membership.state("app", m).routableSinceNanos()).isEqualTo(9_000);
    }

    @Test
    void setWeightKeepsThePositionAndTheState() {
        ServerState before = membership.state("app", membership.find("app", "10.0.0.1:80"));
        membership.setWeight("app", "10.0.0.1:80", 7);
        assertThat(addresses("app")).containsExactly("10.0.0.1:80", "10.0.0.2:80");
        Member m = membership.find("app", "10.0.0.1:80");
        assertThat(m.weight()).isEqualTo(7);
        assertThat(membership.state("app", m)).isSameAs(before);
    }

    @Test
    void aRemovalEndsOnlyIfTheServerIsStillTheSameAndStillDraining() {
        Member m = membership.startRemoval("app", "10.0.0.1:80");
        ServerState state = membership.state("app", m);
        assertThat(state.draining()).isTrue();
        membership.drain("app", "10.0.0.1:80", false); // called off
        assertThat(membership.finishRemoval("app", m, state)).isFalse();
        assertThat(addresses("app")).contains("10.0.0.1:80");

        m = membership.startRemoval("app", "10.0.0.1:80");
        assertThat(membership.finishRemoval("app", m, membership.state("app", m))).isTrue();
        assertThat(addresses("app")).containsExactly("10.0.0.2:80");
    }

    @Test
    void aReloadReplacesEveryPoolAndForgetsTheStateOfServersItDropped() {
        membership.add("app", "10.0.0.3:80", 1, true);
        ServerState kept = membership.state("app", membership.find("app", "10.0.0.2:80"));
        ServerState fresh = membership.state("app", membership.find("app", "10.0.0.3:80"));
        Map<String, List<Member>> next = new LinkedHashMap<>();
        next.put("app", new ArrayList<>(List.of(member("10.0.0.2:80", 2))));
        membership.replaceAll(next);
        assertThat(addresses("app")).containsExactly("10.0.0.2:80");
        assertThat(membership.of("other")).isEmpty();
        assertThat(membership.state("app", membership.find("app", "10.0.0.2:80"))).isSameAs(kept);
        assertThat(membership.isFresh(fresh)).isFalse();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void followingDnsStartsSlowStartForNewAddressesOnly() {
        ServerState old = membership.state("app", membership.find("app", "10.0.0.2:80"));
        old.setRoutableSinceNanos(0);
        clock.set(42_000);
        membership.follow("app", List.of(member("10.0.0.2:80", 2), member("10.0.0.4:80", 2)));
        assertThat(addresses("app")).containsExactly("10.0.0.2:80", "10.0.0.4:80");
        assertThat(old.routableSinceNanos()).isZero();
        assertThat(membership.state("app", membership.find("app", "10.0.0.4:80")).routableSinceNanos())
                .isEqualTo(42_000);
    }
}
