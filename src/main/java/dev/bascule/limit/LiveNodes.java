package dev.bascule.limit;

/**
 * How many Bascule instances share the global rate limits now, this one included. When Redis cannot answer, each
 * instance admits {@code 1 / count()} of a limit on its own, so the fleet as a whole stays near the limit.
 *
 * <p>Threading: {@link #count} is called on the event loops, for each request decided without Redis: it must return
 * a value already known (a volatile read), never look anything up.
 */
@FunctionalInterface
public interface LiveNodes {
    /** A single instance, or a fleet whose membership is not known: the whole limit applies here. */
    LiveNodes SINGLE = () -> 1;

    /** The live instances, at least 1 (a smaller value counts as 1). */
    int count();
}
