package dev.bascule.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * When a route tries a request again.
 *
 * @param attempts tries in all, the first included (1 = no retry)
 * @param on the failures that allow another try
 * @param perTryTimeout response head deadline of each try; null means the global {@code response_header}
 */
public record RetryConfig(int attempts, Set<RetryOn> on, Duration perTryTimeout) {

    /** A failure kind, as written in {@code on:}. */
    public enum RetryOn {
        CONNECT_FAILURE("connect_failure"),
        RESET("reset"),
        STATUS_502("502"),
        STATUS_503("503"),
        STATUS_504("504");

        private final String yaml;

        RetryOn(String yaml) {
            this.yaml = yaml;
        }

        public String yaml() {
            return yaml;
        }

        /** @throws IllegalArgumentException for an unknown name */
        public static RetryOn parse(String text) {
            for (RetryOn r : values()) {
                if (r.yaml.equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown retry condition '" + text
                    + "', expected connect_failure, reset, 502, 503 or 504");
        }
    }

    /** Two tries, on connect failure and on a reset before the response head (idempotent requests only). */
    public static final RetryConfig DEFAULTS = new RetryConfig(2, EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET), null);

    public RetryConfig {
        on = on.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(on));
    }
}
