package dev.bascule.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the admin API needs of one request, copied out of Netty's message so its buffer is released at once and
 * nothing pooled waits on the control plane.
 *
 * <p>Immutable (the body array is never written after construction).
 *
 * @param rejection the answer already decided (malformed or oversized request), else null
 */
record AdminRequest(HttpVersion version, String method, String target, byte[] body, boolean keepAlive,
        Reply rejection) {

    static AdminRequest of(FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            // The codec cannot tell where the next request starts: answer and close.
            return rejected(Reply.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
        }
        return new AdminRequest(req.protocolVersion(), req.method().name(), req.uri(),
                ByteBufUtil.getBytes(req.content()), HttpUtil.isKeepAlive(req), null);
    }

    /** A request answered without looking at it, then the connection closed. */
    static AdminRequest rejected(Reply reply) {
        return new AdminRequest(HttpVersion.HTTP_1_1, "", "", new byte[0], false, reply);
    }
}
