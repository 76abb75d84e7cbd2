package dev.bascule.admin;

import dev.bascule.config.AdminToken;
import dev.bascule.control.CommandException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What makes the admin API safe to open in a browser, checked before a request reaches {@link AdminRoutes}, in
 * this order:
 * <ol>
 *   <li><b>Host</b>, against DNS rebinding (a page on {@code evil.example} whose name is made to resolve to this
 *       address, then read with the browser's blessing as same-origin). On a loopback address only {@code
 *       localhost}, 127.x.x.x and {@code [::1]} are accepted, with any port; elsewhere any host unless {@code
 *       admin.allowed_hosts} lists them (which also adds to the loopback names). Else 403. The host is the
 *       absolute-form target's when there is one (RFC 9112 §3.2.2); a missing, repeated or malformed {@code
 *       Host} in HTTP/1.1 is a 400 (RFC 9112 §3.2).
 *   <li><b>Origin</b> of a write (POST, PUT, PATCH, DELETE), against cross-site requests: one that names another
 *       origin than this API's own ({@code scheme://host:port} as the request's host says) is a 403, and so is
 *       the opaque {@code null} (RFC 6454 §7.3). A request without {@code Origin} does not come from a page.
 *   <li><b>The bearer token</b> (RFC 6750 §2.1) when the config in force sets one: 401 with {@code
 *       WWW-Authenticate: Bearer} (RFC 6750 §3) when missing or wrong. On an address that is not loopback and with
 *       no token in force (a reload dropped it: the address is fixed at start), every such request is a 401:
 *       closed, not open.
 *   <li><b>The body's media type</b>: a request with a body or a {@code Content-Type} must say {@code
 *       application/json} (parameters allowed), else 415. A page can send the other types cross-site without a
 *       CORS preflight (Fetch, "CORS-safelisted request-header"); never JSON.
 * </ol>
 * {@code GET /ready} needs no token (load balancers and orchestrators probe it, and it tells only up or down),
 * and on an address that is not loopback it is answered whatever the host (the kubelet sends the pod's address).
 * The dashboard's files ({@code GET /}, {@code /dashboard/...}, the favicon) need no token either: they are the
 * same for everyone and hold no data, and the page asks for the token itself before it calls the API; the Host
 * check applies to them as to the API.
 *
 * <p>Threading: immutable; {@link #refusal} runs on event loops and reads the token in force through {@code
 * token} (a volatile read).
 */
final class AdminGuard {
    /** RFC 6750 §3: no error code when the request had no credentials at all. */
    static final String CHALLENGE = "Bearer realm=\"bascule\"";
    static final String CHALLENGE_INVALID = "Bearer realm=\"bascule\", error=\"invalid_token\"";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final boolean loopback;
    private final List<String> allowedHosts;
    private final String scheme;
    private final int defaultPort;
    private final Supplier<AdminToken> token;

    /**
     * @param loopback whether the admin API listens on a loopback address
     * @param allowedHosts lower-case host names accepted besides the loopback ones
     * @param https whether the admin API speaks HTTPS (its origin's scheme)
     * @param token the token of the config in force, null when it sets none
     */
    AdminGuard(boolean loopback, List<String> allowedHosts, boolean https, Supplier<AdminToken> token) {
        this.loopback = loopback;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.scheme = https ? "https" : "http";
        this.defaultPort = https ? 443 : 80;
        this.token = token;
    }

    /** @return the answer that refuses {@code r}, or null when it may go on to the routes */
    Reply refusal(AdminRequest r) {
        List<String> hosts = r.headers().getAll(HttpHeaderNames.HOST);
        boolean http11 = r.version().equals(HttpVersion.HTTP_1_1);
        if (hosts.size() > 1 || (hosts.isEmpty() && http11)) {
            return Reply.error(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header"
                    + " (RFC 9112 §3.2)");
        }
        String hostText = absoluteFormAuthority(r.target());
        if (hostText == null && !hosts.isEmpty()) {
            hostText = hosts.get(0).trim();
        }
        Authority host = null; // unknown: an HTTP/1.0 request without Host, which no browser sends
        if (hostText != null) {
            host = Authority.parse(hostText, defaultPort);
            if (host == null) {
                return Reply.error(HttpResponseStatus.BAD_REQUEST, "bad Host '" + hostText + "'");
            }
        }
        boolean probe = isProbe(r);
        if (host != null && !accepts(host, probe)) {
            return Reply.error(HttpResponseStatus.FORBIDDEN, "host '" + hostText + "' is not accepted here: "
                    + (loopback ? "on a loopback address only localhost, 127.x.x.x and [::1] are"
                            : "it is not in admin.allowed_hosts")
                    + " (a defence against DNS rebinding)");
        }
        if (WRITES.contains(r.method()) && isForeign(r.headers().getAll(HttpHeaderNames.ORIGIN), host)) {
            return Reply.error(HttpResponseStatus.FORBIDDEN, "cross-origin write refused: Origin is not "
                    + scheme + "://" + (hostText == null ? "<this admin API>" : hostText));
        }
        if (!probe && !isDashboardFile(r)) {
            Reply denied = tokenRefusal(r);
            if (denied != null) {
                return denied;
            }
        }
        return mediaTypeRefusal(r);
    }

    private boolean accepts(Authority host, boolean probe) {
        if (allowedHosts.contains(host.host())) {
            return true;
        }
        if (loopback) {
            return host.isLoopback();
        }
        return allowedHosts.isEmpty() || probe;
    }

    /**
     * Whether the {@code Origin} lines name an origin other than this API as {@code host} reaches it. None: not
     * foreign (not a page; the other checks stand). Several, {@code null}, a scheme other than ours, or any text
     * that is no {@code scheme://host[:port]}: foreign.
     */
    private boolean isForeign(List<String> origins, Authority host) {
        if (origins.isEmpty()) {
            return false;
        }
        if (origins.size() > 1 || host == null) {
            return true;
        }
        String origin = origins.get(0).trim();
        int sep = origin.indexOf("://");
        if (sep <= 0 || !origin.substring(0, sep).toLowerCase(Locale.ROOT).equals(scheme)) {
            return true;
        }
        Authority other = Authority.parse(origin.substring(sep + 3), defaultPort);
        return !host.equals(other);
    }

    private Reply tokenRefusal(AdminRequest r) {
        AdminToken expected = token.get();
        if (expected == null) {
            return loopback ? null : Reply.unauthorized(CHALLENGE, "this admin API is not on loopback and the config"
                    + " in force sets no admin.token_file, so it serves nothing until one is set");
        }
        List<String> lines = r.headers().getAll(HttpHeaderNames.AUTHORIZATION);
        String presented = lines.size() == 1 ? bearer(lines.get(0)) : null;
        if (presented == null) {
            return Reply.unauthorized(CHALLENGE, "missing bearer token: send Authorization: Bearer <token>");
        }
        // Never echoed, never logged.
        return expected.matches(presented) ? null : Reply.unauthorized(CHALLENGE_INVALID, "wrong bearer token");
    }

    /** The credentials of {@code Authorization: Bearer <token>}; the scheme is case-insensitive (RFC 9110 §11.1). */
    static String bearer(String authorization) {
        String value = authorization.trim();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer", 0, 6) || value.charAt(6) != ' ') {
            return null;
        }
        String credentials = value.substring(7).trim();
        return credentials.isEmpty() ? null : credentials;
    }

    private static Reply mediaTypeRefusal(AdminRequest r) {
        List<String> types = r.headers().getAll(HttpHeaderNames.CONTENT_TYPE);
        if (types.isEmpty() && r.body().length == 0) {
            return null;
        }
        if (types.size() == 1 && isJson(types.get(0))) {
            return null;
        }
        return Reply.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "a request body must be application/json"
                + (types.isEmpty() ? "; this one has no Content-Type" : "; this one is " + String.join(", ", types)));
    }

    /** {@code application/json} with any parameters (RFC 9110 §8.3.1: type and subtype are case-insensitive). */
    static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.equalsIgnoreCase("application/json");
    }

    /** {@code GET /ready}, which probes send without a token. */
    private static boolean isProbe(AdminRequest r) {
        if (!r.readsOnly()) {
            return false;
        }
        try {
            return RequestPath.segments(r.target()).equals(List.of("ready"));
        } catch (CommandException e) {
            return false; // a bad escape: answered 400 by the routes, after the checks
        }
    }

    /** {@code GET} of a file of the dashboard, which holds no data: see {@link DashboardAssets}. */
    private static boolean isDashboardFile(AdminRequest r) {
        if (!r.readsOnly()) {
            return false;
        }
        try {
            return DashboardAssets.isAsset(RequestPath.segments(r.target()));
        } catch (CommandException e) {
            return false; // a bad escape: answered 400 by the routes, after the checks
        }
    }

    /** The authority of an absolute-form target ({@code http://host:port/path}), else null. */
    private static String absoluteFormAuthority(String target) {
        if (target.startsWith("/")) {
            return null;
        }
        int sep = target.indexOf("://");
        if (sep <= 0) {
            return null;
        }
        int end = target.length();
        for (int i = sep + 3; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return target.substring(sep + 3, end);
    }
}
