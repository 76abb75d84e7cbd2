package dev.bascule.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * What the admin API needs of one request, copied out of Netty's message so its buffer is released at once and
 * nothing pooled waits on the control plane.
 *
 * <p>Immutable: neither the header copy nor the body array is written after construction.
 *
 * @param headers a copy of the request's headers (no pooled memory), which {@link AdminGuard} checks and
 *     {@code GET /metrics} negotiates its format with
 * @param rejection the answer already decided (malformed or oversized request), else null
 */
record AdminRequest(HttpVersion version, String method, String target, HttpHeaders headers, byte[] body,
        boolean keepAlive, Reply rejection) {

    static AdminRequest of(FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            // The codec cannot tell where the next request starts: answer and close.
            return rejected(Reply.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
        }
        return new AdminRequest(req.protocolVersion(), req.method().name(), req.uri(), req.headers().copy(),
                ByteBufUtil.getBytes(req.content()), HttpUtil.isKeepAlive(req), null);
    }

    /** A request answered without looking at it, then the connection closed. */
    static AdminRequest rejected(Reply reply) {
        return new AdminRequest(HttpVersion.HTTP_1_1, "", "", EmptyHttpHeaders.INSTANCE, new byte[0], false, reply);
    }

    /** GET or HEAD: a request that only reads (RFC 9110 9.2.1), answered alike apart from HEAD's missing body. */
    boolean readsOnly() {
        return method.equals("GET") || method.equals("HEAD");
    }

    /**
     * The {@code Accept} header (RFC 9110 §12.5.1); several lines are one list (RFC 9110 §5.3). Null when
     * absent.
     */
    String accept() {
        List<String> lines = headers.getAll(HttpHeaderNames.ACCEPT);
        return lines.isEmpty() ? null : String.join(", ", lines);
    }
}
