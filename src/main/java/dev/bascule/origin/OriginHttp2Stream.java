package dev.bascule.origin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One stream of an {@link OriginHttp2Connection}, as a request uses it: the last handler of the stream channel's
 * pipeline (idle timer, {@link Http2StreamFrameToHttpObjectCodec} in client mode, this), and the {@link
 * OriginConnection} the request writes to. The request's {@code HttpRequest} and body go out as HEADERS and DATA
 * frames (the codec maps {@code Host} to {@code :authority}, drops connection-specific fields and lower-cases
 * names, RFC 9113 8.2.2 and 8.3.1); the response comes back as a head, body pieces and a last piece whose trailing
 * headers are the response's trailers.
 *
 * <p>Back-pressure is HTTP/2 flow control: the stream channel is writable while the origin's window for the stream
 * has room, and a stream that is not read ({@link #setReading}) sends no WINDOW_UPDATE, so the origin stops when
 * the window Bascule gave it is full.
 *
 * <p>A stream carries one exchange: {@link #release} and {@link #discard} both end it, and its connection stays
 * pooled. Ending a stream whose request or response is unfinished resets it (RST_STREAM CANCEL, RFC 9113 8.7), so
 * the origin stops working on a request whose client went away.
 *
 * <p>Threading: confined to the event loop of its connection, which is also the requesting client's.
 */
final class OriginHttp2Stream extends ChannelInboundHandlerAdapter implements OriginConnection, ChannelFutureListener {
    /** The version a response from an HTTP/2 origin carries, so Via names the protocol it arrived in (RFC 9110 7.6.3). */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);
    private static final AsciiString STREAM_ID_HEADER = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    /** Stateless and sharable; one for every stream. */
    private static final Http2StreamFrameToHttpObjectCodec CODEC = new Http2StreamFrameToHttpObjectCodec(false, true);

    private final OriginHttp2Connection connection;
    private OriginListener listener;
    private Channel channel;
    private boolean headWritten;
    /** The request's HEADERS frame went out to the origin. */
    private boolean headSent;
    /** The request's last frame (END_STREAM) was written. */
    private boolean requestEnded;
    /** The response's last frame (END_STREAM) arrived. */
    private boolean responseEnded;
    private Throwable closeCause;
    /** Counted among its connection's open streams (from the open until the channel closes). */
    private boolean counted;

    OriginHttp2Stream(OriginHttp2Connection connection, OriginListener listener) {
        this.connection = connection;
        this.listener = listener;
    }

    OriginListener listener() {
        return listener;
    }

    /** Sets whether it is counted among its connection's open streams; returns whether it was. */
    boolean counted(boolean value) {
        boolean was = counted;
        counted = value;
        return was;
    }

    @Override
    public InetSocketAddress remote() {
        return connection.remote();
    }

    @Override
    public boolean isActive() {
        return channel != null && channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Writes without flushing; a failure ends the stream and reaches the listener as {@code originClosed}. */
    @Override
    public void write(HttpObject msg) {
        if (msg instanceof LastHttpContent) {
            requestEnded = true;
        }
        if (msg instanceof HttpRequest && !headWritten) {
            headWritten = true;
            // The one write with a promise: whether HEADERS left tells whether the origin can have seen the request.
            channel.write(msg).addListener(this);
        } else {
            channel.write(msg, channel.voidPromise());
        }
    }

    @Override
    public void writeAndFlush(HttpObject msg) {
        write(msg);
        channel.flush();
    }

    @Override
    public void flush() {
        channel.flush();
    }

    /**
     * Stops or resumes reading the response (auto-read off or on on the stream channel). While stopped, what arrives
     * stays unread and no WINDOW_UPDATE goes out for it, so the origin can send at most one stream window more (RFC
     * 9113 5.2) and other streams on the connection go on.
     */
    @Override
    public void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
    }

    /** Ends the stream after a complete exchange; the connection stays pooled. The caller must not use it again. */
    @Override
    public void release() {
        end();
    }

    /** Ends the stream, resetting it if either side is unfinished. The caller must not use it again. */
    @Override
    public void discard() {
        end();
    }

    private void end() {
        listener = null;
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (responseEnded && !requestEnded && headSent && ch.isActive()) {
            // The whole response came before the whole request (RFC 9113 8.1): the stream channel would close
            // without a reset, as the origin ended its side, and leave ours open at the origin. Stop the upload.
            ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL), ch.voidPromise());
        }
        // Closing sends RST_STREAM(CANCEL) itself while the response is unfinished.
        ch.close();
    }

    /** The request's HEADERS frame was written, or could not be. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            headSent = true;
        } else if (closeCause == null) {
            closeCause = new RequestNotProcessedException("the request's HEADERS could not be sent on "
                    + connection.describe() + ": " + f.cause(), f.cause());
            f.channel().close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        // reader idleness only: the origin said nothing on this stream for the upstream idle timeout
        ctx.pipeline().addBefore(ctx.name(), null,
                new IdleStateHandler(connection.idleMillis(), 0, 0, TimeUnit.MILLISECONDS));
        ctx.pipeline().addBefore(ctx.name(), null, CODEC);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        OriginListener l = listener;
        if (l == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse head) {
            head.headers().remove(STREAM_ID_HEADER); // the codec's own bookkeeping, not the origin's
            if (msg instanceof FullHttpResponse full) {
                // An interim (1xx) head, or a response whose HEADERS ended the stream: delivered as the head and
                // the last piece, the same events an HTTP/1.1 origin produces.
                l.originResponseHead(new DefaultHttpResponse(HTTP_2, full.status(), full.headers()));
                l = listener;
                if (full.status().code() < 200 || l == null) {
                    full.release();
                    return;
                }
                responseEnded = true;
                l.originResponseContent(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
            head.setProtocolVersion(HTTP_2);
            l.originResponseHead(head);
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content instanceof LastHttpContent last) {
                responseEnded = true;
                // Framing fields have no meaning in a trailer section (RFC 9110 6.5.1); an HTTP/1.1 origin's are
                // dropped by its decoder, an HTTP/2 origin's here.
                last.trailingHeaders().remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            l.originResponseContent(content);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null) {
            l.originReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null) {
            l.originWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            if (closeCause == null) {
                closeCause = reset.errorCode() == Http2Error.REFUSED_STREAM.code()
                        // RFC 9113 8.7: REFUSED_STREAM means the stream was closed before any processing.
                        ? new RequestNotProcessedException("the origin refused the stream (REFUSED_STREAM)")
                        : new IOException("the origin reset the stream: " + errorName(reset.errorCode()));
            }
            // the stream closes next, once what arrived before the reset is read
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            // Fired only on the streams above the GOAWAY's last stream id (RFC 9113 6.8): never processed. (The
            // copy each stream gets does not carry that id.)
            if (closeCause == null) {
                closeCause = new RequestNotProcessedException("above the last stream id of the origin's GOAWAY ("
                        + errorName(goAway.errorCode()) + ")");
            }
            goAway.release();
        } else if (evt instanceof IdleStateEvent) {
            OriginListener l = listener;
            if (l != null && !l.closeWhenOriginSilent()) {
                return; // the request is still being sent: an origin may rightly say nothing until it has it all
            }
            if (closeCause == null) {
                closeCause = OriginHttp1Connection.IDLE;
            }
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private static String errorName(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return e == null ? "error " + code : e.name();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        listener = null;
        connection.streamClosed(this);
        if (l != null) {
            Throwable cause = closeCause;
            if (!headSent && !(cause instanceof RequestNotProcessedException)) {
                cause = new RequestNotProcessedException("the stream closed before the request's HEADERS were sent"
                        + " on " + connection.describe(), cause);
            }
            l.originClosed(cause);
        }
    }
}
