package dev.bascule.control;

import dev.bascule.state.ReleaseState;
import dev.bascule.state.StateStoreException;
import dev.bascule.state.Versioned;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that keeps the runtime changes in a fleet's {@link SharedState}. A command runs as it
 * does on a single instance; when it changed the runtime state, the new state is written on the condition that
 * nobody wrote since this instance's version, and only then does the command succeed. When somebody did, this
 * instance takes their state and runs the command again on top of it (so two operators acting at once both get
 * their change, or a refusal that says why); when the store cannot be reached, it takes its state back and the
 * command fails with 503: the fleet's state lives in the store, and a change kept on one instance would be lost.
 *
 * <p>Without a shared state (a single instance), commands run as they are, and the state file keeps them.
 *
 * <p>Threading: control thread only, but for the futures it returns.
 */
final class StateSharing {
    private static final Logger log = LoggerFactory.getLogger(StateSharing.class);
    /** A command is run again at most this many times when others keep writing in between. */
    private static final int MAX_ATTEMPTS = 10;

    private final ScheduledExecutorService thread;
    private final RuntimeChanges changes;
    /** Puts a state in force: the runtime changes, the pools and splits built from them, published. */
    private final Consumer<ReleaseState> putInForce;
    private SharedState shared;
    private long version;

    StateSharing(ScheduledExecutorService thread, RuntimeChanges changes, Consumer<ReleaseState> putInForce) {
        this.thread = thread;
        this.changes = changes;
        this.putInForce = putInForce;
    }

    boolean active() {
        return shared != null;
    }

    /** The version of the shared state in force here; 0 for none. */
    long version() {
        return version;
    }

    /**
     * From now on the runtime state is {@code store}'s. What this instance has stays in force until the store's
     * first version arrives ({@link #adopt}), which replaces it, even when the store holds none (version 0).
     */
    void share(SharedState store) {
        this.shared = store;
        this.version = -1;
    }

    /** A version written elsewhere (or this instance's own, seen again): put in force unless already. */
    void adopt(Versioned v) {
        if (shared == null || v.version() <= version) {
            return;
        }
        version = v.version();
        if (v.state().sameDecisions(changes.state())) {
            changes.replaceState(v.state()); // figures only: nothing to rebuild
        } else {
            putInForce.accept(v.state());
        }
    }

    /** The running totals the fleet's other instances published for a route's rollout, by instance; none alone. */
    java.util.Map<String, RolloutTotals> publishedTotals(String route) {
        return shared == null ? java.util.Map.of() : shared.publishedTotals(route);
    }

    /** Whether this instance may move rollouts: always alone, the elected driver in a fleet. */
    boolean drivesRollouts() {
        return shared == null || shared.drivesRollouts();
    }

    /**
     * Runs an operator's command on the control thread, and shares what it changed. Commands that change the state
     * are shared one at a time, in the order they came: a second one waits for the first one's write, so this
     * instance never races itself.
     *
     * @return the command's result once the store took its change; a future failed with the command's own error,
     *     or with a {@link CommandException} 503 when the store could not take it (then nothing changed)
     */
    <T> CompletableFuture<T> command(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.execute(() -> enqueue(new Job<>(work, result, false)));
        return result;
    }

    /**
     * Runs a change the proxy makes by itself (a rollout's step, the end of a removal) and shares it, after the
     * commands already waiting. When the store does not take it, what the store holds is put in force instead; the
     * change is not retried (a rollout's next tick decides again).
     *
     * @param fenced a rollout driver's change, refused by the store once this instance no longer drives
     */
    void background(Runnable work, boolean fenced) {
        Job<Void> job = new Job<>(() -> {
            work.run();
            return null;
        }, null, fenced);
        if (shared == null) {
            job.run();
        } else {
            enqueue(job);
        }
    }

    /** Shares a change already made (a reload's reconciling) when the runtime state moved since {@code before}. */
    void shareSince(ReleaseState before, boolean fenced) {
        if (shared == null || changes.state().sameDecisions(before)) {
            return;
        }
        Job<Void> job = new Job<>(() -> null, null, fenced);
        job.changedFrom = before;
        enqueue(job);
    }

    /** A change to make and share; {@code result} null for the proxy's own. */
    private final class Job<T> {
        final Callable<T> work;
        final CompletableFuture<T> result;
        final boolean fenced;
        int attempt;
        /** For a change made before it was queued: the state it started from. */
        ReleaseState changedFrom;

        Job(Callable<T> work, CompletableFuture<T> result, boolean fenced) {
            this.work = work;
            this.result = result;
            this.fenced = fenced;
        }

        /** Runs the work unshared (a single instance). */
        void run() {
            try {
                T value = work.call();
                if (result != null) {
                    result.complete(value);
                }
            } catch (Throwable t) {
                fail(t);
            }
        }

        void fail(Throwable t) {
            if (result != null) {
                result.completeExceptionally(t);
            } else {
                log.warn("runtime change not made: {}", t.toString(), t);
            }
        }
    }

    private final ArrayDeque<Job<?>> queue = new ArrayDeque<>();
    private boolean busy;

    private void enqueue(Job<?> job) {
        if (shared == null) {
            job.run();
            return;
        }
        queue.add(job);
        next();
    }

    private void next() {
        if (busy || queue.isEmpty()) {
            return;
        }
        busy = true;
        attempt(queue.poll());
    }

    private void done() {
        busy = false;
        next();
    }

    private <T> void attempt(Job<T> job) {
        job.attempt++;
        ReleaseState before = job.changedFrom != null ? job.changedFrom : changes.state();
        long from = version;
        T value;
        try {
            value = job.work.call();
        } catch (Throwable t) {
            job.fail(t);
            done();
            return;
        }
        ReleaseState after = changes.state();
        if (shared == null || after.sameDecisions(before)) {
            // Nothing to share; a rollout's figures alone are not written (the driver judges, each publishes).
            if (job.result != null) {
                job.result.complete(value);
            }
            done();
            return;
        }
        shared.write(from, after, job.fenced).whenCompleteAsync((written, failure) -> {
            if (failure == null) {
                version = Math.max(version, written);
                if (job.result != null) {
                    job.result.complete(value);
                }
                done();
                return;
            }
            Throwable cause = unwrap(failure);
            boolean conflict = cause instanceof StateStoreException.Conflict;
            if (conflict && job.result != null && job.attempt < MAX_ATTEMPTS) {
                // Another instance wrote in between: take theirs, then run the command again on top of it, after
                // a short random pause so that instances retrying together do not collide again.
                shared.read().whenCompleteAsync((current, readFailure) -> {
                    if (readFailure != null) {
                        refuse(job, before, from, unwrap(readFailure));
                        return;
                    }
                    takeBack(current);
                    long pause = ThreadLocalRandom.current().nextLong(1, 10L * job.attempt + 2);
                    thread.schedule(() -> attempt(job), pause, TimeUnit.MILLISECONDS);
                }, thread);
                return;
            }
            refuse(job, before, from, cause);
        }, thread);
    }

    private void refuse(Job<?> job, ReleaseState before, long from, Throwable cause) {
        if (job.result == null) {
            // The proxy's own change: what the store holds is what stands.
            log.info("runtime change not shared ({}): reading {} again", describe(cause), shared.describe());
            shared.read().whenCompleteAsync((current, readFailure) -> {
                if (readFailure == null) {
                    takeBack(current);
                } else if (version == from) {
                    putInForce.accept(before);
                }
                done();
            }, thread);
            return;
        }
        if (version == from && !changes.state().equals(before)) {
            putInForce.accept(before); // nobody else's version came in meanwhile: back to what the store holds
        }
        log.warn("runtime change not made: {} did not take it: {}", shared.describe(), describe(cause));
        job.result.completeExceptionally(new CommandException(503, "the fleet's runtime state lives in "
                + shared.describe() + ", which did not take the change (" + describe(cause) + "); nothing changed,"
                + " try again"));
        done();
    }

    /** Puts the store's current version in force, even one this instance had (its own change is undone). */
    private void takeBack(Versioned current) {
        version = current.version();
        if (!current.state().equals(changes.state())) {
            putInForce.accept(current.state());
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
