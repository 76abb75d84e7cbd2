package dev.bascule.proxy;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.http1.Cumulation;
import dev.bascule.http1.Http1MessageWriter;
import dev.bascule.http1.Http1RequestDecoder;
import dev.bascule.http1.SpareLists;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;

/**
 * The client connection's HTTP/1.1 codec, one handler: Bascule's strict request decoder ({@link
 * Http1RequestDecoder}), its response writer ({@link Http1MessageWriter}), and the pacing of reads that Netty's
 * {@code FlowControlHandler} would add as a handler of its own. A request the decoder refuses reaches the next
 * handler as a failed message (its {@code decoderResult}), and every byte after it is dropped: after a bad message
 * the stream cannot be trusted.
 *
 * <p>Pacing: with auto-read off, what one socket read decodes is queued and handed on one message per {@code
 * read()}, and the socket is read only when the queue is empty. So pipelined requests wait their turn, and a body
 * is read only as fast as the origin takes it. Between a request read whole and the next one asked for, the socket
 * is read ahead once ({@link #readAhead}), which keeps it in the transport's read set. As with {@code
 * FlowControlHandler}, a {@code channelReadComplete} follows once every read asked for got its message, and a
 * socket read that decoded nothing ends with a {@code channelReadComplete} and no message (the next handler asks
 * again). With auto-read on, everything goes on at once.
 *
 * <p>Before a request head is handed on, what can only be settled here is settled ({@link FrontendRequests}):
 * header names that fold into a protected one are dropped and names with an underscore follow the listener's
 * {@link UnderscoreHeaders} policy ({@link HeaderNameRules}, only when the decoder saw such a name); and a body
 * already read together with its head is decoded before the head goes on, so a malformed one refuses the whole
 * request before anything of it can reach an origin.
 *
 * <p>After a request that asks to upgrade (a WebSocket handshake), decoding stops until its final response is
 * written: should the origin switch protocols, what the client sent after the handshake is not HTTP, and stays
 * buffered for the tunnel (it is handed on when the codec leaves the pipeline); otherwise decoding goes on at the
 * next read.
 *
 * <p>The writer is told which requests were HEAD, so a response to one never carries a body (RFC 9110 9.3.2), as
 * {@code HttpServerCodec} does. At most {@code maxPipelineDepth} requests may be decoded ahead of their responses;
 * the next one is refused, which bounds what one connection can make Bascule hold.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class FrontendCodec extends ChannelDuplexHandler {
    static final int DEFAULT_MAX_PIPELINE_DEPTH = 128;

    private final FrontendRequests requests;
    private final Http1MessageWriter writer;
    /** The connection's slow-client timers, fed what this codec reads and asks to read; null in some tests. */
    private final ClientTimeouts timeouts;
    private final Cumulation cumulation = new Cumulation();
    /**
     * Messages decoded and not yet handed on, from {@link #next} on; borrowed from the thread's {@link SpareLists}
     * while a read is decoded or messages wait, and given back once all have gone, so an idle connection keeps no
     * list. Null then.
     */
    private ArrayList<Object> decoded;
    private int next;
    /** Reads asked for (auto-read off) and not yet answered with a message or a read-complete. */
    private int readsOwed;
    /** A {@link #handOn} loop is on the stack: a read asked for meanwhile is served by it. */
    private boolean handing;
    /** The last message handed on ended a request: the next byte can only begin another one. */
    private boolean requestEnded = true;
    private ChannelConfig config;
    /** Bytes decoded and written on this connection so far, for the access log and the listener's totals. */
    private long bytesRead;
    private long bytesWritten;

    FrontendCodec(HttpDecoderConfig config) {
        this(config, DEFAULT_MAX_PIPELINE_DEPTH, UnderscoreHeaders.ALLOW);
    }

    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth) {
        this(config, maxPipelineDepth, UnderscoreHeaders.ALLOW);
    }

    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth, UnderscoreHeaders underscoreHeaders) {
        this(config, maxPipelineDepth, underscoreHeaders, null);
    }

    /**
     * @param underscoreHeaders from the settings the connection was accepted under, like the decoder's limits
     * @param timeouts the connection's, taken over from the pipeline (or started here) when this codec is added
     */
    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth, UnderscoreHeaders underscoreHeaders,
            ClientTimeouts timeouts) {
        requests = new FrontendRequests(config, maxPipelineDepth, underscoreHeaders);
        writer = Http1MessageWriter.responses(requests); // no lambda kept per connection
        this.timeouts = timeouts;
    }

    /** Bytes of requests this connection has decoded so far (heads and bodies as on the wire). */
    long bytesRead() {
        return bytesRead;
    }

    /** Bytes of responses this connection has written so far. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** A 1xx is interim: the final response to the same request is still to come. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        config = ctx.channel().config();
        if (timeouts != null) {
            timeouts.attach(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timeouts != null) {
            timeouts.active();
        }
        ctx.fireChannelActive();
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (timeouts != null) {
            timeouts.bytesArrived(in);
        }
        cumulation.add(ctx.alloc(), in);
        decodeBuffered();
        handOn(ctx);
    }

    /** Decodes all that the bytes kept allow, onto the queue. */
    private void decodeBuffered() {
        ByteBuf buf = cumulation.buffer();
        if (buf == null) {
            return;
        }
        if (decoded == null) {
            decoded = SpareLists.take();
        }
        if (next > 0) {
            decoded.subList(0, next).clear(); // those went on already; the queue keeps what is left
            next = 0;
        }
        try {
            while (buf.isReadable()) {
                int before = buf.readableBytes();
                requests.decode(buf, decoded);
                int after = buf.readableBytes();
                bytesRead += before - after;
                if (after == before) {
                    break; // the rest waits for more bytes, or for the answer to an upgrade request
                }
            }
        } finally {
            cumulation.releaseIfDrained();
        }
    }

    /**
     * Hands on queued messages: all of them with auto-read on, else one per read owed. When every read owed got
     * its message, the read cycle ends for the next handler ({@code channelReadComplete}); a read it asks for
     * then, or while a message is handled, is served by this same loop rather than by recursion.
     */
    private void handOn(ChannelHandlerContext ctx) {
        if (handing) {
            return;
        }
        handing = true;
        try {
            for (;;) {
                boolean auto = config.isAutoRead();
                boolean handed = false;
                while (next < queued() && (auto || readsOwed > 0)) {
                    Object msg = decoded.get(next++);
                    if (readsOwed > 0) {
                        readsOwed--;
                    }
                    handed = true;
                    requestEnded = msg instanceof LastHttpContent;
                    ctx.fireChannelRead(msg);
                }
                if (next == queued()) {
                    giveBackQueue();
                }
                if (!handed || auto || readsOwed > 0 || ctx.isRemoved()) {
                    return;
                }
                ctx.fireChannelReadComplete();
                if (readsOwed == 0 || next == queued()) {
                    return;
                }
            }
        } finally {
            handing = false;
        }
    }

    /** How many messages the queue holds, those handed on included. */
    private int queued() {
        return decoded == null ? 0 : decoded.size();
    }

    private void giveBackQueue() {
        next = 0;
        if (decoded != null) {
            decoded.clear();
            SpareLists.giveBack(decoded);
            decoded = null;
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (requests.resumeIfAnswered()) {
            decodeBuffered(); // the upgrade was answered without a switch: what came after it is HTTP after all
        }
        if (config.isAutoRead()) {
            handOn(ctx);
            readSocket(ctx);
            return;
        }
        readsOwed++;
        if (handing) {
            return;
        }
        handOn(ctx);
        if (readsOwed > 0) {
            readSocket(ctx); // nothing decoded is waiting
        }
    }

    private void readSocket(ChannelHandlerContext ctx) {
        if (timeouts != null) {
            timeouts.readAsked();
        }
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        cumulation.discardReadBytes();
        if (config.isAutoRead() || readsOwed > 0) {
            // A read that decoded nothing (half a head) is answered by this alone; the next handler asks again.
            readsOwed = 0;
            ctx.fireChannelReadComplete();
        }
        if (readsOwed == 0 && !config.isAutoRead() && requestEnded && next == queued() && !cumulation.isReadable()
                && ctx.channel().isActive()) {
            readAhead(ctx);
        }
    }

    /**
     * A request has been handed on whole and nothing is buffered: the socket stays asked for a read while its
     * response is made. Without it the epoll transport takes the socket out of the read set when this read ends
     * and puts it back when the next request is asked for, two {@code epoll_ctl} calls per request on a
     * keep-alive connection. At most one read's bytes come in ahead: they are queued (or kept, undecoded, after
     * an upgrade request), and while anything waits no further read is asked for, so pipelining stays paced. The
     * connection's timeouts do not change: it is neither idle nor waiting for a body while a request is in flight.
     */
    private void readAhead(ChannelHandlerContext ctx) {
        readSocket(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeouts != null) {
            timeouts.cancel();
        }
        inputClosed(ctx);
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed(ctx); // a half-closed client: nothing more comes, as at channelInactive
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** No more bytes come: what is left is decoded as the end of input, and handed on if reads are owed. */
    private void inputClosed(ChannelHandlerContext ctx) {
        ByteBuf buf = cumulation.take();
        try {
            if (decoded == null) {
                decoded = SpareLists.take();
            }
            if (next > 0) {
                decoded.subList(0, next).clear();
                next = 0;
            }
            ByteBuf rest = buf == null ? Unpooled.EMPTY_BUFFER : buf;
            int before = rest.readableBytes();
            requests.decodeLast(rest, decoded);
            bytesRead += before - rest.readableBytes();
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
        handOn(ctx);
    }

    /**
     * Leaving the pipeline (for a tunnel, after a 101): bytes read past the handshake go on to the handler that
     * takes the codec's place; decoded messages, HTTP that nothing after the switch can use, are released.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeouts != null) {
            timeouts.detach(ctx); // the tunnel has its own idle timeout
        }
        releaseQueued();
        cumulation.handOnRest(ctx);
    }

    private void releaseQueued() {
        for (int i = next; i < queued(); i++) {
            ReferenceCountUtil.release(decoded.get(i));
        }
        giveBackQueue();
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (writer.accepts(msg)) {
            bytesWritten += writer.write(ctx, msg, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** The failure a refused request head reaches the next handler with. */
    static final class MalformedRequestException extends IllegalArgumentException {
        MalformedRequestException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a value, not a bug: the stack trace would cost more than the request
        }
    }
}
