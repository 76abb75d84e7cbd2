/**
 * Runtime state that outlives a restart: the changes made through the admin API (split weights; servers added,
 * removed, reweighted, drained), each with the file's value it overrode, and the rollouts ({@code
 * release.RolloutState}, kept as the pure values they are).
 *
 * <p>Control plane only: no Netty, no proxy class. The control plane ({@code control.RuntimeChanges}) decides
 * what the state holds and how it meets a reloaded file; this package holds the records, their JSON, and where
 * they are kept.
 *
 * <p>Entry points: {@link dev.bascule.state.ReleaseState} (immutable records: {@link
 * dev.bascule.state.SplitChange}, {@link dev.bascule.state.ServerChange}) and {@link
 * dev.bascule.state.ReleaseStateStore}, the store: one versioned record, {@code load} and {@code
 * compareAndSet(expectedVersion, next)}. The first store is {@link dev.bascule.state.FileStateStore}: a JSON file
 * replaced atomically (temporary file, fsync, rename, fsync of the folder), its version written inside; a torn or
 * invalid file is reported by {@code load} with the reason, and the proxy starts without it.
 *
 * <p><b>For a store in etcd (issue 14).</b> The interface is a consistent key's: {@code load} is a range read of
 * the key, its {@code mod_revision} the version ({@link dev.bascule.state.Versioned#NONE} when absent);
 * {@code compareAndSet} a transaction {@code If(ModRevision(key) == expected) Then(Put(key, state)) Else(Get(key))},
 * the new revision returned, and a failed compare reported as {@link dev.bascule.state.StateStoreException.Conflict}
 * with the revision found (then the writer reloads, reapplies its change and tries again). Watches are what it
 * adds: a {@code watch(key, fromRevision)} that hands each new {@link dev.bascule.state.Versioned} to the control
 * plane, which applies it as it applies its own changes, so every proxy of a fleet follows a split set on one.
 */
package dev.bascule.state;
