package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Reload outcomes as metrics count them: ok, rejected with a ConfigException, or neither. */
class ReloadCounterTest {
    private final ReloadCounter counter = new ReloadCounter();

    private static ConfigException rejection() {
        return new ConfigException(List.of(new ConfigError("t.yaml", 3, 5, "unknown upstream 'web-red'")));
    }

    @Test
    void aReloadThatCompletesIsOk() {
        counter.count(CompletableFuture.completedFuture(2L));

        assertThat(counter.ok()).isEqualTo(1);
        assertThat(counter.rejected()).isZero();
    }

    @Test
    void aConfigExceptionIsARejectionHoweverItIsWrapped() {
        counter.count(CompletableFuture.failedFuture(rejection()));
        counter.count(CompletableFuture.failedFuture(new CompletionException(rejection())));

        assertThat(counter.rejected()).isEqualTo(2);
        assertThat(counter.ok()).isZero();
    }

    @Test
    void aReloadThatFailsForAnotherReasonIsNeither() {
        counter.count(CompletableFuture.failedFuture(new RejectedExecutionException("shutting down")));

        assertThat(counter.ok()).isZero();
        assertThat(counter.rejected()).isZero();
    }

    @Test
    void whoeverWaitsForTheReloadSeesItCounted() {
        CompletableFuture<Long> reload = new CompletableFuture<>();
        long[] seen = new long[1];
        counter.count(reload).thenRun(() -> seen[0] = counter.ok());

        reload.complete(2L);

        assertThat(seen[0]).isEqualTo(1);
    }
}
