package dev.bascule.origin;

import java.io.IOException;

/**
 * Why a request's HTTP/2 stream ended before the origin did anything with it: the origin refused the stream
 * (RST_STREAM with REFUSED_STREAM), its GOAWAY named a last stream id below the stream's, or the connection
 * closed before the request's HEADERS frame went out. RFC 9113 section 8.7 guarantees that such a request was
 * not processed, so it may be sent again on another connection whatever its method.
 */
public final class RequestNotProcessedException extends IOException {
    RequestNotProcessedException(String reason) {
        super(reason);
    }

    RequestNotProcessedException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** Made for every stream a GOAWAY cuts off; where it was made says nothing the message does not. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
