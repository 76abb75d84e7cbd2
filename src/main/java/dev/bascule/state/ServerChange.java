package dev.bascule.state;

import java.time.Instant;
import java.util.Locale;

/**
 * One change to one server of an upstream made through the admin API.
 *
 * <p>Immutable.
 *
 * @param address the server's {@code host:port}, as the control plane keys it
 * @param weight for {@link Kind#ADDED} and {@link Kind#WEIGHT}, the server's weight; 0 otherwise
 * @param fileWeight the server's weight in the file when the change was made; null when the file did not list
 *     it. While the file still says this, the change stands; once the file says otherwise, the file wins
 * @param at when it was made
 */
public record ServerChange(String upstream, String address, Kind kind, int weight, Integer fileWeight,
        Instant at) {

    /** What was done to the server. */
    public enum Kind {
        /** Added (the file does not list it). */
        ADDED,
        /** Removed though the file lists it. */
        REMOVED,
        /** Given another weight than the file's. */
        WEIGHT,
        /** Drained: it takes no new request. The file has no word on draining, so only the server's end ends it. */
        DRAINED;

        /** The name in the state file: {@code added}, {@code removed}, {@code weight}, {@code drained}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean is(String upstreamName, String serverAddress) {
        return upstream.equals(upstreamName) && address.equals(serverAddress);
    }
}
