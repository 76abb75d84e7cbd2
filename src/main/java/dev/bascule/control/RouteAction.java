package dev.bascule.control;

/**
 * What a matched route does with a request: the pool that serves it and the route's policies.
 *
 * <p>Immutable; part of a snapshot.
 */
public record RouteAction(Pool pool, RetryPolicy retry) {

    @Override
    public String toString() {
        return pool.name();
    }
}
