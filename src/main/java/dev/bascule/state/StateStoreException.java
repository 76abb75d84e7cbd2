package dev.bascule.state;

/**
 * A store could not read or write the release state, or the state it holds is not valid. The message says why,
 * for a log line; the running proxy carries on with what it has.
 */
public class StateStoreException extends Exception {
    public StateStoreException(String message) {
        super(message);
    }

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A conditional write found another version than the one it named: someone else wrote in between. */
    public static final class Conflict extends StateStoreException {
        private final long current;

        public Conflict(long expected, long current) {
            super("the store is at version " + current + ", not " + expected);
            this.current = current;
        }

        /** The version the store is at. */
        public long current() {
            return current;
        }
    }
}
