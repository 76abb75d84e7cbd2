package dev.bascule.control;

import dev.bascule.state.ReleaseState;
import dev.bascule.state.Versioned;
import java.util.concurrent.CompletableFuture;

/**
 * Where a fleet keeps its runtime state (splits, server changes, rollouts) so that every instance runs the same:
 * one versioned record written only on the condition that nobody wrote since the version the writer saw. The
 * control plane writes through it after each change it makes, and takes each version written elsewhere through
 * {@link ControlPlane#adoptSharedState}.
 *
 * <p>Threading: the methods may be called from the control thread; they never block, and their futures complete on
 * another thread.
 */
public interface SharedState {

    /**
     * Writes {@code next} if the store is still at {@code expectedVersion}.
     *
     * @param fenced a write of the rollout driver's: it also fails when this instance is no longer the driver
     * @return the new version; a future failed with {@link dev.bascule.state.StateStoreException.Conflict} when the
     *     store moved on (or, fenced, this instance lost the drive), or with another exception when the store could
     *     not be reached (nothing was written)
     */
    CompletableFuture<Long> write(long expectedVersion, ReleaseState next, boolean fenced);

    /** The record as the store holds it now. */
    CompletableFuture<Versioned> read();

    /** Whether this instance drives the fleet's rollouts now (elected; exactly one instance is at a time). */
    boolean drivesRollouts();

    /**
     * The running totals of a route's rollout as the fleet's other instances last published them, by instance name
     * (this instance's own left out): the driver adds them to its own to judge the fleet as a whole. Read on the
     * control thread; must not block.
     */
    java.util.Map<String, RolloutTotals> publishedTotals(String route);

    /** Where the state is kept, for messages. */
    String describe();
}
