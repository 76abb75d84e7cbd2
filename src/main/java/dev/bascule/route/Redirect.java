package dev.bascule.route;

/**
 * Where a redirect route sends a client: a fixed location, or with {@code keep_path} that location followed by
 * what the request target has after the route's path prefix (the rest of the path, and the query). Joining
 * makes one slash: {@code to: https://labs.test/new/} and a rest of {@code /a} give {@code
 * https://labs.test/new/a}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Redirect {
    private final String to;
    /** {@code to} without trailing slashes, which the rest of a path (starting with '/') is appended to. */
    private final String base;
    private final int status;
    private final boolean keepPath;

    /**
     * @param to an absolute URL or path, checked by the config (visible ASCII; no query with {@code keepPath})
     * @param status 301, 302, 303, 307 or 308
     */
    public Redirect(String to, int status, boolean keepPath) {
        this.to = to;
        int end = to.length();
        while (end > 0 && to.charAt(end - 1) == '/') {
            end--;
        }
        this.base = to.substring(0, end);
        this.status = status;
        this.keepPath = keepPath;
    }

    /**
     * The Location to answer with (RFC 9110 10.2.2).
     *
     * @param target the origin-form request target, which the route matched
     * @param prefix the route's path prefix; null when it has none (then the whole target is kept)
     */
    public String location(String target, PathPrefix prefix) {
        if (!keepPath) {
            return to;
        }
        String rest = prefix == null || prefix.value().length() == 1 ? target : target.substring(prefix.value().length());
        if (rest.isEmpty() || rest.charAt(0) != '/') {
            return to + rest; // nothing after the prefix, or only the query
        }
        return base + rest;
    }

    public String to() {
        return to;
    }

    public int status() {
        return status;
    }

    public boolean keepPath() {
        return keepPath;
    }

    @Override
    public String toString() {
        return status + " " + to + (keepPath ? " (keep_path)" : "");
    }
}
