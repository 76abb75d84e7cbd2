package dev.bascule.state;

/**
 * Where the release state is kept between restarts: one versioned record, read whole, and written only on the
 * condition that nobody wrote since the version the writer last saw.
 *
 * <p>The contract is that of a key in a consistent store: {@link #load} returns the record and its version (0
 * when there is none); {@link #compareAndSet} replaces it only if the store is still at the version named, and
 * returns the new version. {@link FileStateStore} is the first implementation; a store in etcd (issue 14) maps
 * the version to the key's {@code mod_revision}, the write to a transaction {@code If(ModRevision(key) ==
 * expected) Then(Put)}, and adds watches so every proxy of a fleet follows a change made on one.
 *
 * <p>Threading: an implementation may block (file or network I/O); the control plane calls it from a thread of
 * its own, never from an event loop nor the control thread. Calls are not concurrent.
 */
public interface ReleaseStateStore extends AutoCloseable {

    /**
     * The stored state and its version; {@link Versioned#NONE} when nothing is stored yet.
     *
     * @throws StateStoreException when it cannot be read or is not a valid state (torn, malformed, from an
     *     unknown format); the caller reports it and starts without runtime changes
     */
    Versioned load() throws StateStoreException;

    /**
     * Stores {@code next} if the store is still at {@code expectedVersion}.
     *
     * @return the version of what was stored
     * @throws StateStoreException.Conflict when the store is at another version: nothing was written
     * @throws StateStoreException when it could not be written (nothing was, or the old state is whole)
     */
    long compareAndSet(long expectedVersion, ReleaseState next) throws StateStoreException;

    /** Where the state is kept, for log lines: a file path, an etcd key. */
    String describe();

    @Override
    default void close() {}
}
