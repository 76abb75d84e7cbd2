package dev.bascule.control;

/**
 * What a matched route does with a request: the pool that serves it and the route's policies.
 *
 * <p>Immutable; part of a snapshot.
 *
 * @param maxBodySize largest request body in bytes (413 above it); -1 for no limit
 * @param hostNamed the route names the host it serves (a host condition), so an absolute-form request target
 *     for that host may be served (RFC 9112 3.2.2) without making Bascule an open forward proxy
 */
public record RouteAction(Pool pool, RetryPolicy retry, long maxBodySize, boolean hostNamed) {

    public RouteAction(Pool pool, RetryPolicy retry) {
        this(pool, retry, -1, false);
    }

    @Override
    public String toString() {
        return pool.name();
    }
}
