package dev.bascule.proxy;

import dev.bascule.control.Snapshot;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;

/**
 * The accounts of an HTTP/1 connection's requests, one at a time, each in an {@link ExchangeRecord} borrowed from
 * the event loop's {@link RecordPool} for the request's life. Opening fills the request's fields; closing adds the
 * bytes the codec moved since the last close, hands the record to the exchange events of the snapshot the request
 * was admitted under, and gives it back.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class RequestAccounts {
    /** The open request's record; null between requests, when the pool has it. */
    private ExchangeRecord record;
    private final ListenerStats listener;
    /** The snapshot the open record's request was admitted under, whose events get it; null when none is open. */
    private Snapshot snapshot;
    /** Counts the bytes on the wire; null in tests that build a pipeline without it. */
    private FrontendCodec codec;
    /** The codec's byte counts when the previous record closed. */
    private long bytesReadMark;
    private long bytesWrittenMark;
    /** The connection's TLS version (TLSv1.3 ...), null over plain TCP; read once, at the first request. */
    private String tlsVersion;
    private boolean tlsVersionKnown;

    RequestAccounts(ListenerStats listener) {
        this.listener = listener;
    }

    /**
     * The open request's record; while none is open, the event loop's {@linkplain RecordPool#unread unread} one, so
     * that a late write can never reach a record another connection has borrowed since.
     */
    ExchangeRecord record() {
        ExchangeRecord r = record;
        return r != null ? r : RecordPool.unread();
    }

    /** Whether a request's record is open. */
    boolean isOpen() {
        return snapshot != null;
    }

    /**
     * Opens the account of a request.
     *
     * @param request null for a client that sent no complete head in time
     * @param peerIp the connection's peer; null before it is known
     */
    void open(Snapshot admittedUnder, HttpRequest request, String peerIp, ChannelPipeline pipeline, long nowNanos) {
        if (!tlsVersionKnown) {
            tlsVersionKnown = true;
            SslHandler tls = pipeline.get(SslHandler.class);
            tlsVersion = tls == null ? null : tls.engine().getSession().getProtocol();
            codec = pipeline.get(FrontendCodec.class);
        }
        snapshot = admittedUnder;
        if (record == null) {
            record = RecordPool.borrow();
        }
        ExchangeRecord record = this.record;
        record.begin(listener, peerIp, nowNanos)
                .tlsVersion(tlsVersion)
                .route(admittedUnder.unrouted());
        if (request != null) {
            var h = request.headers();
            record.request(request.method().name(), h.get(HttpHeaderNames.HOST), request.uri(),
                    request.protocolVersion().text(), h.get(HttpHeaderNames.USER_AGENT), h.get(HttpHeaderNames.REFERER));
        }
        RequestTracing.begin(request, admittedUnder.settings(), record);
    }

    /**
     * The request is over and its last write issued: the bytes it moved are added and the record goes to the
     * exchange events of its snapshot. Nothing when no record is open.
     *
     * @param fallback the status to record when none was chosen (the answer was cut short before its head)
     */
    void close(int fallback, long nowNanos) {
        Snapshot s = snapshot;
        if (s == null) {
            return;
        }
        snapshot = null;
        ExchangeRecord record = this.record;
        if (!record.hasStatus()) {
            record.status(fallback, null);
        }
        if (codec != null) {
            long read = codec.bytesRead();
            long written = codec.bytesWritten();
            record.received(read - bytesReadMark).sent(written - bytesWrittenMark);
            bytesReadMark = read;
            bytesWrittenMark = written;
        }
        record.end(nowNanos, System.currentTimeMillis());
        s.events().exchangeEnded(record);
        record.forgetText();
        this.record = null;
        RecordPool.giveBack(record);
    }
}
