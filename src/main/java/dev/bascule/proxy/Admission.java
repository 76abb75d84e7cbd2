package dev.bascule.proxy;

import dev.bascule.control.ProxySettings;
import dev.bascule.balance.AffinityHash;
import dev.bascule.control.RouteAction;
import dev.bascule.control.RouteSplit;
import dev.bascule.control.Snapshot;
import dev.bascule.limit.GlobalRateLimit;
import dev.bascule.route.Route;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Cookies;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The first step of every request, whatever protocol brought it: from (snapshot, request head, client) to either
 * "forward with this route and target" or "answer locally with this status". It validates the head, routes it,
 * applies the route's allow/deny, then answers a redirect route's redirect (after its rate limit), else applies
 * the route's WebSocket rules, rate limit and declared body limit, in that order, and, for a split route, chooses
 * the side it goes to; it touches nothing else: no channel, no write, no timer.
 *
 * <p>A route with a global rate limit (kept in Redis) stops half way: {@link Verdict#CHECK_GLOBAL} says to ask
 * {@link #globalLimit()} for {@link #globalKey()}'s bucket, and {@link #afterGlobalLimit} takes the decision up
 * where it stopped once the answer (or the local fallback) is known. Admission itself never waits.
 *
 * <p>Threading: one per client connection (or stream), confined to its event loop, reused for each request;
 * the accessors describe the last decision. Allocates nothing for a valid origin-form request.
 */
final class Admission {
    /** What to do with a request. */
    enum Verdict {
        /**
         * Forward it: {@link #route()} and {@link #upstreamTarget()} say where and as what, and {@link
         * #websocket()} whether it is a WebSocket handshake, to become a tunnel if the origin switches.
         */
        FORWARD,
        /** Answer {@link #status()} locally; the connection may carry on if the request can be skipped. */
        ANSWER,
        /**
         * The route answers with a redirect: {@link #status()} with {@link #location()}, and the route's response
         * header edits; like {@link #ANSWER} otherwise.
         */
        REDIRECT,
        /** Answer {@link #status()} and close: after this request the byte stream cannot be trusted. */
        REJECT,
        /**
         * The route's rate limit is global: check {@link #globalKey()} with {@link #globalLimit()}, then call
         * {@link #afterGlobalLimit} for the verdict.
         */
        CHECK_GLOBAL
    }

    private final ClientAddress client;
    private Route<RouteAction> route;
    /** What the request goes by: the route's action, or for a split route the chosen side's. */
    private RouteAction action;
    /** A {@code Set-Cookie} value for a client given a new sticky cookie; null otherwise. */
    private String stickyCookie;
    private String upstreamTarget;
    private String location;
    private HttpResponseStatus status;
    private long retryAfterSeconds;
    private boolean websocket;
    /** Set while a global rate limit is checked: where {@link #afterGlobalLimit} goes on from. */
    private HttpRequest checkedRequest;
    private String checkedUri;
    private String globalKey;

    Admission(ClientAddress client) {
        this.client = client;
    }

    /**
     * Decides on {@code request} under {@code snapshot}. Draws from the route's rate limit when it forwards.
     *
     * @param nowNanos the data plane's clock, for the rate limit
     */
    Verdict admit(Snapshot snapshot, HttpRequest request, long nowNanos) {
        route = null;
        action = null;
        stickyCookie = null;
        upstreamTarget = null;
        location = null;
        retryAfterSeconds = 0;
        websocket = false;
        checkedRequest = null;
        checkedUri = null;
        globalKey = null;
        ProxySettings settings = snapshot.settings();
        status = RequestValidator.check(request, settings.maxUriLength(), settings.maxHeaderCount());
        if (status != null) {
            return Verdict.REJECT;
        }
        String uri = request.uri();
        boolean absoluteForm = uri.charAt(0) != '/';
        if (absoluteForm) {
            uri = RequestValidator.originForm(request);
            if (uri == null) {
                return reject(HttpResponseStatus.BAD_REQUEST);
            }
        }
        Route<RouteAction> matched = snapshot.routes().match(request.headers().get(HttpHeaderNames.HOST), uri,
                HeadFields.reading(request));
        // The conditions are read: let go of the head, which the thread would otherwise keep (with the headers
        // added for the origin) until its next request.
        HeadFields.reading(null);
        if (absoluteForm && (matched == null || !matched.target().hostNamed())) {
            // RFC 9112 3.2.2: absolute-form only for a host a route names, never as an open forward proxy.
            return reject(HttpResponseStatus.BAD_REQUEST);
        }
        if (matched == null) {
            return answer(HttpResponseStatus.NOT_FOUND);
        }
        route = matched; // answers below count under the route too
        RouteAction action = matched.target();
        this.action = action;
        client.resolve(request.headers(), settings.trustedProxies());
        if (!action.admits(client.bytes())) {
            return answer(HttpResponseStatus.FORBIDDEN);
        }
        if (action.redirect() != null) {
            return redirect(action, matched, request, uri, nowNanos);
        }
        if (WebSocketHandshake.requested(request)) {
            if (!action.websocket()) {
                return answer(HttpResponseStatus.FORBIDDEN); // the route does not tunnel WebSockets
            }
            HttpResponseStatus bad = WebSocketHandshake.check(request);
            if (bad != null) {
                // The client waits for the answer before sending anything else (RFC 6455 4.1), so the connection
                // can carry on.
                return answer(bad);
            }
            websocket = true;
        }
        if (action.rateLimiter() != null && limited(action, request, nowNanos)) {
            return answer(HttpResponseStatus.TOO_MANY_REQUESTS);
        }
        if (action.globalLimit() != null) {
            return checkGlobal(action, request, uri);
        }
        return forward(action, matched, request, uri);
    }

    /** What follows the rate limit for a forwarded request: the declared body limit, the target, a split's side. */
    private Verdict forward(RouteAction action, Route<RouteAction> matched, HttpRequest request, String uri) {
        if (action.maxBodySize() >= 0 && declaredLength(request) > action.maxBodySize()) {
            // Refused before any origin is contacted; the unread body leaves the stream unusable.
            return reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        }
        upstreamTarget = matched.rewriteTarget(uri);
        if (action.split() != null) {
            this.action = side(action.split(), request);
        }
        return Verdict.FORWARD;
    }

    private Verdict checkGlobal(RouteAction action, HttpRequest request, String uri) {
        checkedRequest = request;
        checkedUri = uri;
        globalKey = rateKey(action, request);
        return Verdict.CHECK_GLOBAL;
    }

    /**
     * Goes on with the request that {@link #admit} left at {@link Verdict#CHECK_GLOBAL}, now that its global rate
     * limit decided.
     *
     * @param waitNanos 0 when the request may pass, else the nanoseconds until it would (for Retry-After)
     * @return any verdict but {@link Verdict#CHECK_GLOBAL}
     */
    Verdict afterGlobalLimit(long waitNanos) {
        HttpRequest request = checkedRequest;
        String uri = checkedUri;
        if (request == null) {
            throw new IllegalStateException("no global rate limit is being checked");
        }
        checkedRequest = null;
        checkedUri = null;
        if (waitNanos > 0) {
            retryAfterSeconds = retryAfter(waitNanos);
            return answer(HttpResponseStatus.TOO_MANY_REQUESTS);
        }
        RouteAction matchedAction = route.target();
        if (matchedAction.redirect() != null) {
            return redirectTo(matchedAction, route, uri);
        }
        return forward(matchedAction, route, request, uri);
    }

    /** The global rate limit to check, after {@link Verdict#CHECK_GLOBAL}. */
    GlobalRateLimit globalLimit() {
        return route.target().globalLimit();
    }

    /** Whose bucket the request draws from, after {@link Verdict#CHECK_GLOBAL}: the client address or a header. */
    String globalKey() {
        return globalKey;
    }

    /**
     * The side of a split route this request goes to: by turns, or by its sticky key. A client without the sticky
     * cookie is given one (sent with the response, {@link #addStickyCookie}) and placed by it at once, so its first
     * request already lands where the following ones will; a missing sticky header places by client address.
     */
    private RouteAction side(RouteSplit split, HttpRequest request) {
        AffinityKey key = split.sticky();
        if (key == null) {
            return split.next();
        }
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> request.headers().get(key.name());
            case COOKIE -> Cookies.value(request.headers().get(HttpHeaderNames.COOKIE), key.name());
        };
        if (value == null && key.source() == AffinityKey.Source.COOKIE) {
            value = split.newStickyValue();
            stickyCookie = split.setCookie(value);
        }
        return split.stick(value == null ? client.hash() : AffinityHash.hash64(value));
    }

    /** Adds the {@code Set-Cookie} of a sticky cookie this request was given, if any, to the response head. */
    void addStickyCookie(HttpHeaders headers) {
        if (stickyCookie != null) {
            headers.add(HttpHeaderNames.SET_COOKIE, stickyCookie);
        }
    }

    /** A redirect route: its rate limit applies, then it answers; nothing about forwarding does. */
    private Verdict redirect(RouteAction action, Route<RouteAction> matched, HttpRequest request, String uri,
            long nowNanos) {
        if (action.rateLimiter() != null && limited(action, request, nowNanos)) {
            return answer(HttpResponseStatus.TOO_MANY_REQUESTS);
        }
        if (action.globalLimit() != null) {
            return checkGlobal(action, request, uri);
        }
        return redirectTo(action, matched, uri);
    }

    private Verdict redirectTo(RouteAction action, Route<RouteAction> matched, String uri) {
        status = HttpResponseStatus.valueOf(action.redirect().status());
        location = action.redirect().location(uri, matched.pathPrefix());
        return Verdict.REDIRECT;
    }

    private Verdict reject(HttpResponseStatus s) {
        status = s;
        return Verdict.REJECT;
    }

    private Verdict answer(HttpResponseStatus s) {
        status = s;
        return Verdict.ANSWER;
    }

    /** Takes a token from the route's rate limit; true, with Retry-After set, when there was none. */
    private boolean limited(RouteAction action, HttpRequest request, long nowNanos) {
        long wait = action.rateLimiter().tryAcquire(rateKey(action, request), nowNanos);
        if (wait > 0) {
            retryAfterSeconds = retryAfter(wait);
            return true;
        }
        return false;
    }

    /** Whole seconds, rounded up, at least 1 (RFC 9110 10.2.3: Retry-After is a count of seconds). */
    private static long retryAfter(long waitNanos) {
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    /**
     * Whether the {@code bodyBytes} read so far of a forwarded request's body are within its route's {@code
     * max_body_size} (RFC 9110 15.5.14, 413): {@link #admit} refused a declared Content-Length over it, this holds
     * the bytes that actually come (a chunked body declares none) to it as they stream.
     */
    boolean bodyWithinLimit(long bodyBytes) {
        long max = action.maxBodySize();
        return max < 0 || bodyBytes <= max;
    }

    /**
     * The request is over: lets go of what was decided for it (its route, which holds its snapshot; its target,
     * Location and cookie text; the client its X-Forwarded-For named), which an idle keep-alive connection would
     * otherwise keep until its next request.
     */
    void requestOver() {
        route = null;
        action = null;
        stickyCookie = null;
        upstreamTarget = null;
        location = null;
        client.forget();
    }

    /** The declared Content-Length, which {@link RequestValidator} checked is 1 to 18 digits; -1 when absent. */
    static long declaredLength(HttpRequest request) {
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null ? -1 : Long.parseLong(length);
    }

    private String rateKey(RouteAction action, HttpRequest request) {
        AffinityKey key = action.rateKey();
        if (key != null && key.source() == AffinityKey.Source.HEADER) {
            String value = request.headers().get(key.name());
            if (value != null) {
                return value;
            }
        }
        return client.ip();
    }

    /**
     * The route the request matched: the one a forwarded request goes by, and the one an answer of Bascule's own
     * past routing (403, 426, 429, 413) counts under; null when none matched or the request was refused first.
     */
    Route<RouteAction> route() {
        return route;
    }

    /**
     * What the request goes by: the matched route's action, or for a split route that is forwarded, the action of
     * the side chosen (its pool, and the series it counts in); null when no route matched.
     */
    RouteAction action() {
        return action;
    }

    /** The request target to send upstream (origin-form, after any prefix strip). */
    String upstreamTarget() {
        return upstreamTarget;
    }

    /** Whether the forwarded request is a WebSocket opening handshake (RFC 6455 4.1) that passed its checks. */
    boolean websocket() {
        return websocket;
    }

    /** The Location of a {@link Verdict#REDIRECT}: the route's {@code to}, with the rest of the target if kept. */
    String location() {
        return location;
    }

    /** The status to answer with, for {@link Verdict#ANSWER}, {@link Verdict#REDIRECT} and {@link Verdict#REJECT}. */
    HttpResponseStatus status() {
        return status;
    }

    /** A Retry-After value to send with the answer, or 0 for none. */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    ClientAddress client() {
        return client;
    }
}
