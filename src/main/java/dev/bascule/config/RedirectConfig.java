package dev.bascule.config;

/**
 * A route Bascule answers itself with a redirect, instead of forwarding to an upstream.
 *
 * @param to where to: an absolute URL ({@code https://labs.test/new}) or an absolute path ({@code /new})
 * @param status 301, 302, 303, 307 or 308
 * @param keepPath append what follows the route's path prefix, and the query, to {@code to}
 */
public record RedirectConfig(String to, int status, boolean keepPath) {
    /** As nginx's {@code return URL}: temporary, so a mistake is not cached by every browser that saw it. */
    public static final int DEFAULT_STATUS = 302;
}
