package dev.bascule.origin;

import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;

/**
 * Keeps the fields whose value is new on every message Bascule sends, {@code x-request-id} and {@code
 * traceparent}, out of HPACK's dynamic table (RFC 7541 2.3.2), on both sides of an HTTP/2 hop. Indexing such a
 * value never pays: no later message repeats it, and each insertion evicts entries that later messages would
 * have reused (a server, a content type), and costs the encoder a table insertion and eviction per message.
 * They go as literals that are never indexed (RFC 7541 6.2.3), the one non-indexing form Netty's encoder offers;
 * their names are still sent by index when the peer's table holds them.
 *
 * <p>Stateless; shared by every HTTP/2 connection.
 */
public final class UniqueFieldValues implements Http2HeadersEncoder.SensitivityDetector {
    public static final UniqueFieldValues INSTANCE = new UniqueFieldValues();

    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    private UniqueFieldValues() {}

    /** HTTP/2 field names are lowercase on the wire (RFC 9113 8.2.1), so a case-sensitive match suffices. */
    @Override
    public boolean isSensitive(CharSequence name, CharSequence value) {
        return X_REQUEST_ID.contentEquals(name) || TRACEPARENT.contentEquals(name); // each checks the length first
    }
}
