package dev.bascule.stats;

/**
 * Why Bascule answered a request itself instead of an origin; the {@code reason} label of {@code
 * bascule_local_responses_total} and the access log's {@code local} field.
 */
public enum LocalReason {
    /** No route matched (404). */
    NO_ROUTE("no_route"),
    /** No server could take the request (503): none routable, or the connection queue full or timed out. */
    NO_SERVER("no_server"),
    /** The origin did not answer in time (504). */
    TIMEOUT("timeout"),
    /** The client did not send its request in time (408). */
    CLIENT_TIMEOUT("client_timeout"),
    /** A malformed or refused request (400, 414, 431, 501, 505 ...). */
    BAD_REQUEST("bad_request"),
    /** The request body is over the route's limit (413). */
    TOO_LARGE("too_large"),
    /** The client may not use the route (403), or the route refuses WebSocket. */
    DENIED("denied"),
    /** Over the route's rate limit (429). */
    RATE_LIMITED("rate_limited"),
    /** The origin failed: unreachable, reset, or a malformed answer (502). */
    BAD_GATEWAY("bad_gateway"),
    /** A redirect: the listener's to HTTPS (308), or a redirect route's (301, 302, 303, 307, 308). */
    REDIRECT("redirect");

    private final String label;

    LocalReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The reason of a local answer with {@code status}, for answers whose status alone says it. */
    public static LocalReason ofStatus(int status) {
        return switch (status) {
            case 404 -> NO_ROUTE;
            case 503 -> NO_SERVER;
            case 504 -> TIMEOUT;
            case 408 -> CLIENT_TIMEOUT;
            case 413 -> TOO_LARGE;
            case 403 -> DENIED;
            case 429 -> RATE_LIMITED;
            case 502 -> BAD_GATEWAY;
            case 301, 302, 303, 307, 308 -> REDIRECT;
            default -> BAD_REQUEST;
        };
    }
}
