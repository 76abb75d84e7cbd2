package dev.bascule.proxy;

import dev.bascule.control.ProxySettings;
import dev.bascule.http1.Http1Headers;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.trace.HexId;
import dev.bascule.trace.RequestIds;
import dev.bascule.trace.Sampler;
import dev.bascule.trace.TraceParent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * {@code X-Request-Id} and W3C Trace Context on the way through, in three steps: {@link #begin} when a request head
 * arrives (before it is routed, so Bascule's own answers carry the id too) decides the request's id and trace and
 * writes them into its {@link ExchangeRecord}; {@link #toUpstream} puts them on the request sent to the origin,
 * after the hop-by-hop headers are gone so that a client's {@code Connection: X-Request-Id} cannot remove them;
 * {@link #toClient} puts the id on every response head sent to the client.
 *
 * <p>Request ids ({@link ProxySettings#requestIds()}): a {@link RequestIds#isValid valid} id from the client is
 * kept, anything else replaced by 128 random bits in hex. Off: the header passes through untouched and the record
 * has no id.
 *
 * <p>Tracing ({@link ProxySettings#tracing()}): off, {@code traceparent} and {@code tracestate} pass through
 * untouched (W3C Trace Context: a proxy that does not trace forwards them). On, Bascule takes part as Envoy does:
 * the request gets a span id of its own, and the origin gets {@code traceparent: 00-<trace>-<Bascule's span>-<flags>},
 * sampled or not, so the origin's spans hang under Bascule's whichever way the sampling went. A valid incoming
 * {@code traceparent} gives the trace id and the parent; an absent or invalid one (or two of them) starts a new
 * trace, and then any {@code tracestate} is dropped (section 4.3, "restarting a trace": the state belonged to
 * another trace). Otherwise {@code tracestate} passes through unchanged: Bascule adds no entry of its own.
 *
 * <p>Stateless; called on the request's event loop. Per request it allocates only what goes on the wire: a new id
 * (32 bytes and their {@link AsciiString}) and, with tracing on, the traceparent (55 bytes and theirs).
 */
final class RequestTracing {
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

    private RequestTracing() {}

    /**
     * Decides the request's id and trace from its head, as received, into {@code record}, on the event loop's
     * {@link ThreadLocalRandom}.
     *
     * @param request null for an answer to a head that never came whole: the answer still gets an id
     */
    static void begin(HttpRequest request, ProxySettings settings, ExchangeRecord record) {
        begin(request == null ? EmptyHttpHeaders.INSTANCE : request.headers(), settings, record,
                ThreadLocalRandom.current());
    }

    /**
     * Decides the request's id and trace from its headers, as received, into {@code record}.
     *
     * @param random the event loop's {@code ThreadLocalRandom}; seeded in tests
     */
    static void begin(HttpHeaders h, ProxySettings settings, ExchangeRecord record, RandomGenerator random) {
        if (settings.requestIds()) {
            String given = h.get(X_REQUEST_ID);
            record.requestId(given != null && RequestIds.isValid(given) ? given : newRequestId(random));
        }
        Sampler sampler = settings.tracing();
        if (sampler == null) {
            return;
        }
        long spanId = nonZero(random);
        String parent = h.get(TRACEPARENT);
        if (parent != null && TraceParent.isValid(parent) && single(h, TRACEPARENT)) {
            record.trace(TraceParent.traceIdHigh(parent), TraceParent.traceIdLow(parent), spanId,
                    TraceParent.parentId(parent), sampler.sample(TraceParent.sampled(parent), random.nextLong()));
        } else {
            record.trace(random.nextLong(), nonZero(random), spanId, 0, sampler.sample(false, random.nextLong()));
        }
    }

    /** Sets the id and, with tracing on, the trace context on the request sent upstream. */
    static void toUpstream(HttpHeaders h, ProxySettings settings, ExchangeRecord record) {
        CharSequence id = record.requestId();
        if (id != null) {
            Http1Headers.setChecked(h, X_REQUEST_ID, id);
        }
        if (settings.tracing() == null) {
            return;
        }
        byte[] value = new byte[TraceParent.LENGTH];
        TraceParent.write(value, record.traceIdHigh(), record.traceIdLow(), record.spanId(), record.traceSampled());
        Http1Headers.setChecked(h, TRACEPARENT, new AsciiString(value, false));
        if (record.parentSpanId() == 0) {
            h.remove(TRACESTATE);
        }
    }

    /** Sets the request's id on a response head sent to the client; nothing when request ids are off. */
    static void toClient(HttpHeaders h, ExchangeRecord record) {
        CharSequence id = record.requestId();
        if (id != null) {
            Http1Headers.setChecked(h, X_REQUEST_ID, id);
        }
    }

    static CharSequence newRequestId(RandomGenerator random) {
        return new HexId(random.nextLong(), random.nextLong());
    }

    /** W3C Trace Context: an all-zero trace id or span id is invalid. */
    private static long nonZero(RandomGenerator random) {
        long v;
        do {
            v = random.nextLong();
        } while (v == 0);
        return v;
    }

    /** Whether {@code name} appears once: a repeated traceparent is no single value, so it is invalid. */
    private static boolean single(HttpHeaders h, CharSequence name) {
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(name);
        values.next();
        return !values.hasNext();
    }
}
