package dev.bascule.control;

/**
 * What the data plane does with a request header whose name has an underscore ({@code
 * limits.headers_with_underscores}): CGI and WSGI origins turn {@code -} into {@code _}, so they cannot tell
 * {@code X_User} from {@code X-User}.
 *
 * <p>Immutable.
 */
public enum UnderscoreHeaders {
    /** Forwarded as it came. */
    ALLOW,
    /** Removed before the request is forwarded. */
    DROP,
    /** The request is answered with 400 and never forwarded. */
    REJECT
}
