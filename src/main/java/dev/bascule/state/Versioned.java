package dev.bascule.state;

/**
 * A release state as a store holds it, with the version the store gave it: the version a conditional write
 * must name ({@link ReleaseStateStore#compareAndSet}).
 *
 * @param version 0 when the store holds nothing; then {@code state} is empty
 */
public record Versioned(long version, ReleaseState state) {
    public static final Versioned NONE = new Versioned(0, ReleaseState.EMPTY);
}
