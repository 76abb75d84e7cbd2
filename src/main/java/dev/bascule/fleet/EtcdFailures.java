package dev.bascule.fleet;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Says why an etcd call failed in words an operator can act on. gRPC reports a failed TLS handshake as {@code
 * UNAVAILABLE: io exception} followed by the channel's pipeline, which names neither TLS nor the reason; the reason
 * is in the cause chain (the certificate path that did not validate, the alert the server sent).
 *
 * <p>Threading: stateless.
 */
final class EtcdFailures {
    private EtcdFailures() {}

    /**
     * The TLS failure behind {@code failure}, or null when it is something else. A handshake that failed (an
     * untrusted server certificate, a client certificate refused or missing) fails the same way on every attempt
     * until the config changes: TLS alerts of a failed handshake are fatal (RFC 8446 section 6.2).
     */
    static SSLException tls(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }

    /** One line: what failed and why, for a log line, {@code GET /cluster} or push's error. */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "no answer within the timeout";
        }
        SSLException tls = tls(t);
        if (tls != null) {
            return "TLS handshake failed: " + deepest(tls);
        }
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        // gRPC's words for a connection that failed ("UNAVAILABLE: io exception"), or a bare status whose reason is
        // its cause (jetcd fails a call with "UNAUTHENTICATED" caused by etcd's "authentication failed, invalid
        // user ID or password"): the reason is the cause's.
        if (t.getCause() != null && (m.contains("io exception") || !m.contains(": "))) {
            m = m + ": " + deepest(t.getCause());
        }
        return firstLine(m);
    }

    /** The innermost cause's message: the specific reason ("unable to find valid certification path ..."). */
    private static String deepest(Throwable t) {
        String m = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                m = c.getMessage();
            }
        }
        return firstLine(m != null ? m : t.getClass().getSimpleName());
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
