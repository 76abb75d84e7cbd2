package dev.bascule.accesslog;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RouteSeries;
import dev.bascule.trace.HexId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slot of the {@link RecordRing}: what a log line says about one finished request, copied out of its {@link
 * ExchangeRecord} (which the event loop reuses at once). Strings and {@link HexId}s are immutable, so a copy keeps
 * their references; any other {@link CharSequence} (a header value may be a view over bytes the connection
 * reuses) is copied into a character buffer this slot keeps, which grows to the longest value seen and then
 * allocates no more.
 *
 * <p>Threading: the event loop that claimed the slot fills it, then publishes it ({@link #publish}, a release
 * store); the writer thread reads it after seeing it published and hands it back. Never both at once.
 */
final class Entry {
    private static final VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(Entry.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The ring sequence this slot holds once published; written by producers, read by the writer. */
    @SuppressWarnings("unused") // through PUBLISHED
    private long published = -1;

    long endEpochMillis;
    String client;
    String method;
    CharSequence host;
    String target;
    String protocol;
    int status;
    long bytesIn;
    long bytesOut;
    long durationNanos;
    /** Null when no route matched. */
    String route;
    /** Null when no route matched. */
    String upstream;
    String server;
    long upstreamResponseNanos;
    int attempts;
    CharSequence requestId;
    String tls;
    CharSequence userAgent;
    CharSequence referer;
    LocalReason local;

    private StringBuilder hostCopy;
    private StringBuilder requestIdCopy;
    private StringBuilder userAgentCopy;
    private StringBuilder refererCopy;

    /** Copies what the line says; on the event loop, before {@link #publish}. */
    void copy(ExchangeRecord r) {
        endEpochMillis = r.endEpochMillis();
        client = r.clientIp();
        method = r.method();
        target = r.target();
        protocol = r.protocol();
        status = r.status();
        bytesIn = r.bytesIn();
        bytesOut = r.bytesOut();
        durationNanos = r.durationNanos();
        RouteSeries series = r.route();
        route = series == null ? null : orNull(series.route());
        upstream = series == null ? null : orNull(series.upstream());
        server = r.server();
        upstreamResponseNanos = r.upstreamResponseNanos();
        attempts = r.attempts();
        tls = r.tlsVersion();
        local = r.local();

        CharSequence v = r.host();
        if (v == null || v instanceof String) {
            host = v;
        } else {
            host = hostCopy = copy(v, hostCopy);
        }
        v = r.requestId();
        if (v == null || v instanceof String || v instanceof HexId) {
            requestId = v;
        } else {
            requestId = requestIdCopy = copy(v, requestIdCopy);
        }
        v = r.userAgent();
        if (v == null || v instanceof String) {
            userAgent = v;
        } else {
            userAgent = userAgentCopy = copy(v, userAgentCopy);
        }
        v = r.referer();
        if (v == null || v instanceof String) {
            referer = v;
        } else {
            referer = refererCopy = copy(v, refererCopy);
        }
    }

    private static String orNull(String label) {
        return label == null || label.isEmpty() ? null : label;
    }

    private static StringBuilder copy(CharSequence value, StringBuilder into) {
        if (into == null) {
            into = new StringBuilder(Math.max(32, value.length()));
        }
        into.setLength(0);
        into.append(value);
        return into;
    }

    void publish(long sequence) {
        PUBLISHED.setRelease(this, sequence);
    }

    boolean isPublished(long sequence) {
        return (long) PUBLISHED.getAcquire(this) == sequence;
    }

    /** Drops the references the line was written from, so a quiet ring holds no request's strings. */
    void clear() {
        client = null;
        method = null;
        host = null;
        target = null;
        protocol = null;
        route = null;
        upstream = null;
        server = null;
        requestId = null;
        tls = null;
        userAgent = null;
        referer = null;
        local = null;
    }
}
