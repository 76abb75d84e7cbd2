package dev.bascule.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Writes one client stream's response as HTTP/2 frames, through its connection's encoder and flow controller:
 * heads as HEADERS, pieces as DATA, the end as DATA or trailers with END_STREAM. Nothing is flushed here; the
 * stream asks its connection to. Each message handed in is written or released.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class StreamFrames {
    private final FrontendHttp2Connection connection;
    private final Http2Stream stream;
    private final ChannelHandlerContext ctx;

    StreamFrames(FrontendHttp2Connection connection, Http2Stream stream) {
        this.connection = connection;
        this.stream = stream;
        this.ctx = connection.context();
    }

    /** A response head, ending the stream when nothing follows it. */
    void head(HttpResponse head, boolean endOfStream) {
        headers(Http2Fields.response(head, connection.hsts()), endOfStream);
    }

    /** An interim 100 Continue (RFC 9113 8.1): HTTP/2 clients wait for it too. */
    void continueHead() {
        headers(new DefaultHttp2Headers().status(HttpResponseStatus.CONTINUE.codeAsText()), false);
    }

    /** A piece of the body; takes {@code data}. */
    void data(ByteBuf data) {
        write(data, false);
    }

    /** The end of a message whose head went before: its last data and trailers. Takes {@code last}. */
    void end(LastHttpContent last) {
        end(last, false);
    }

    /** A whole response of Bascule's own, ending the stream. Takes {@code response}. */
    void whole(FullHttpResponse response) {
        boolean headOnly = !response.content().isReadable() && response.trailingHeaders().isEmpty();
        head(response, headOnly);
        if (headOnly) {
            response.release();
        } else {
            end(response, true);
        }
    }

    private void end(LastHttpContent last, boolean afterHeadOnly) {
        boolean trailers = !last.trailingHeaders().isEmpty();
        if (last.content().isReadable() || !trailers && !afterHeadOnly) {
            write(last.content(), !trailers);
        } else {
            last.release();
        }
        if (trailers) {
            headers(HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), true), true);
        }
    }

    private void headers(Http2Headers fields, boolean endOfStream) {
        connection.encoder().writeHeaders(ctx, stream.id(), fields, 0, endOfStream, promise(endOfStream));
        connection.sentToClient();
    }

    private void write(ByteBuf data, boolean endOfStream) {
        connection.encoder().writeData(ctx, stream.id(), data, 0, endOfStream, promise(endOfStream));
        connection.sentToClient();
    }

    /**
     * For the frame that ends the stream while the client is still sending: once it is written, the client is told
     * to stop without error (RFC 9113 8.1), as its response is whole. Otherwise no promise is needed.
     */
    private ChannelPromise promise(boolean endOfStream) {
        if (!endOfStream || stream.state() != Http2Stream.State.OPEN) {
            return ctx.voidPromise();
        }
        return ctx.newPromise().addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
                connection.reset(stream, Http2Error.NO_ERROR);
            }
        });
    }
}
