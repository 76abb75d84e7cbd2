package dev.bascule.control;

import dev.bascule.config.ConfigException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts config reloads by outcome, for metrics: a reload that swapped its config in is {@code ok}, one refused
 * with a {@link ConfigException} (a file that does not parse or validate, a host that does not resolve, a
 * certificate or port that cannot be used) is {@code rejected}. A reload that fails for another reason (shutting
 * down) is neither.
 *
 * <p>Threading: counted on whichever thread completes a reload, read by anyone; lock-free.
 */
public final class ReloadCounter {
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public long ok() {
        return ok.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /**
     * Counts {@code reload} when it completes.
     *
     * @return a future that completes as {@code reload} does, once it is counted: whoever waits for it (the admin
     *     API's answer) sees the counter already moved
     */
    <T> CompletableFuture<T> count(CompletableFuture<T> reload) {
        return reload.whenComplete((result, failed) -> {
            if (failed == null) {
                ok.incrementAndGet();
            } else if (unwrap(failed) instanceof ConfigException) {
                rejected.incrementAndGet();
            }
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
