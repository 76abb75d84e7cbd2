package dev.bascule.stats;

/**
 * The series one route's requests to one upstream count into, resolved when the snapshot is built: the route's
 * label, the upstream's name, the long-lived {@link RouteStats}, and the request counts of each listener indexed
 * by {@link ListenerStats#slot()}. A request adds to these without a lookup.
 *
 * <p>Immutable (the recorders it points to are not); part of a snapshot.
 *
 * @param route the route's {@code name}, or its match written compactly; {@code ""} for requests no route matched
 * @param upstream the upstream's name; {@code ""} when no route matched
 */
public record RouteSeries(String route, String upstream, RouteStats stats, StatusCounts[] requestsByListener) {

    /** The request counts of {@code listener}, by the status sent to the client. */
    public StatusCounts requests(ListenerStats listener) {
        int slot = listener.slot();
        return slot < requestsByListener.length ? requestsByListener[slot] : OVERFLOW;
    }

    /** Where a listener opened after the snapshot was built counts until the next one: nobody reads it. */
    private static final StatusCounts OVERFLOW = new StatusCounts();
}
