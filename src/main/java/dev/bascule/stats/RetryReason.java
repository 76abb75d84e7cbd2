package dev.bascule.stats;

/** Why a request was sent again; the {@code reason} label of {@code bascule_retries_total}. */
public enum RetryReason {
    CONNECT_FAILURE("connect_failure"),
    RESET("reset"),
    TIMEOUT("timeout"),
    STATUS("status");

    private final String label;

    RetryReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
