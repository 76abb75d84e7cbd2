package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.PassiveConfig;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.ServerState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Passive health as a pure policy over server states and an injected clock. */
class EjectionPolicyTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(100 * SECOND);
    private final EjectionPolicy policy = new EjectionPolicy(clock::get);
    private final PassiveConfig passive = new PassiveConfig(3, Duration.ofSeconds(10), 50);

    @Test
    void theThresholdIsReportedOncePerRunAndASuccessEndsTheRun() {
        ServerState s = new ServerState();
        assertThat(EjectionPolicy.failed(s, AttemptFailure.CONNECT, 3)).isFalse();
        assertThat(EjectionPolicy.failed(s, AttemptFailure.RESET, 3)).isFalse();
        assertThat(EjectionPolicy.failed(s, AttemptFailure.TIMEOUT, 3)).isTrue();
        assertThat(EjectionPolicy.failed(s, AttemptFailure.CONNECT, 3)).as("past the threshold").isFalse();
        EjectionPolicy.succeeded(s);
        assertThat(s.consecutiveFailures()).isZero();
        assertThat(EjectionPolicy.failed(s, AttemptFailure.CONNECT, 0)).as("passive checks off").isFalse();
        assertThat(s.failures()).isEqualTo(5);
    }

    @Test
    void ejectionsGrowWithEachOneUpToTheCap() {
        assertThat(EjectionPolicy.length(Duration.ofSeconds(10), 0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(EjectionPolicy.length(Duration.ofSeconds(10), 2)).isEqualTo(Duration.ofSeconds(30));
        assertThat(EjectionPolicy.length(Duration.ofSeconds(10), 100)).isEqualTo(Duration.ofMinutes(5));
        assertThat(EjectionPolicy.length(Duration.ofMinutes(7), 3)).as("a base over the cap is the cap")
                .isEqualTo(Duration.ofMinutes(7));
    }

    @Test
    void anEjectionLastsItsTimeThenExpires() {
        ServerState s = failing(AttemptFailure.CONNECT);
        ServerState other = new ServerState();
        assertThat(policy.consider("app", "a", s, passive, List.of(s, other), 3)).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.ejectedAt(clock.get())).isTrue();
        assertThat(policy.consider("app", "a", s, passive, List.of(s, other), 3)).as("ejected already").isNull();
        clock.addAndGet(9 * SECOND);
        assertThat(policy.expire(s)).as("not due yet").isFalse();
        clock.addAndGet(SECOND);
        assertThat(policy.expire(s)).isTrue();
        assertThat(s.ejectedAt(clock.get())).isFalse();
        assertThat(s.routableSinceNanos()).as("slow start from now").isEqualTo(clock.get());
        assertThat(policy.expire(s)).as("once").isFalse();
        assertThat(policy.consider("app", "a", failing(s, AttemptFailure.CONNECT), passive, List.of(s, other), 3))
                .as("the second ejection is twice as long").isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void neverEjectsMoreThanTheAllowedShareOfThePool() {
        ServerState a = failing(AttemptFailure.CONNECT);
        ServerState b = failing(AttemptFailure.CONNECT);
        assertThat(policy.consider("app", "a", a, passive, List.of(a, b), 3)).isNotNull();
        assertThat(policy.consider("app", "b", b, passive, List.of(a, b), 3)).as("50% out already").isNull();
        assertThat(b.ejectedAt(clock.get())).isFalse();
        PassiveConfig off = new PassiveConfig(0, Duration.ofSeconds(10), 100);
        assertThat(policy.consider("app", "b", b, off, List.of(a, b), 3)).as("passive checks off").isNull();
    }

    @Test
    void aPassingProbeEndsAnEjectionForUnreachabilityOnly() {
        ServerState unreachable = failing(AttemptFailure.CONNECT);
        ServerState answering = new ServerState();
        EjectionPolicy.failed(answering, AttemptFailure.CONNECT, 3);
        EjectionPolicy.failed(answering, AttemptFailure.STATUS_5XX, 3);
        EjectionPolicy.failed(answering, AttemptFailure.TIMEOUT, 3);
        List<ServerState> pool = List.of(unreachable, answering, new ServerState(), new ServerState());
        policy.consider("app", "u", unreachable, passive, pool, 3);
        policy.consider("app", "f", answering, passive, pool, 3);
        clock.addAndGet(SECOND);

        assertThat(policy.probePassed(unreachable)).isTrue();
        assertThat(unreachable.ejectedAt(clock.get())).isFalse();
        assertThat(unreachable.routableSinceNanos()).isEqualTo(clock.get());
        assertThat(policy.probePassed(unreachable)).as("not ejected any more").isFalse();

        assertThat(policy.probePassed(answering)).as("5xx among its failures: it would flap").isFalse();
        assertThat(answering.ejectedAt(clock.get())).isTrue();
    }

    @Test
    void aSuccessClearsTheAnswersOfARunSoTheNextEjectionIsJudgedOnItsOwn() {
        ServerState s = new ServerState();
        EjectionPolicy.failed(s, AttemptFailure.STATUS_5XX, 3);
        EjectionPolicy.succeeded(s);
        failing(s, AttemptFailure.RESET);
        policy.consider("app", "s", s, passive, List.of(s, new ServerState()), 3);
        assertThat(s.ejectedForAnswers()).isFalse();
        assertThat(policy.probePassed(s)).isTrue();
    }

    private static ServerState failing(AttemptFailure f) {
        return failing(new ServerState(), f);
    }

    private static ServerState failing(ServerState s, AttemptFailure f) {
        for (int i = 0; i < 3; i++) {
            EjectionPolicy.failed(s, f, 3);
        }
        return s;
    }
}
