package dev.bascule.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: answers its requests one at a time, in order, each when the control plane is done
 * with it, and each only once {@link AdminGuard} lets it through.
 *
 * <p>The channel runs with auto-read off: the next read is asked for only once every request received so far is
 * answered, so a client cannot queue unbounded work. Requests that arrive together (pipelining, RFC 9112 §9.3.2)
 * wait in a queue and are run in order, since a later command may depend on an earlier one.
 *
 * <p>Threading: confined to the channel's event loop. Futures complete on other threads; their replies are
 * handed back to the event loop before anything here is touched.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    /** Fired by {@link BodyLimit} in place of a request whose body is over the limit. */
    private static final Object TOO_LARGE = new Object();

    private final AdminRoutes routes;
    private final AdminGuard guard;
    private final int maxBodyBytes;
    // ---- event loop only ----
    private final ArrayDeque<AdminRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    AdminHandler(AdminRoutes routes, AdminGuard guard, int maxBodyBytes) {
        this.routes = routes;
        this.guard = guard;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        AdminRequest request;
        if (msg instanceof FullHttpRequest full) {
            try {
                request = AdminRequest.of(full);
            } finally {
                full.release();
            }
        } else if (msg == TOO_LARGE) {
            request = AdminRequest.rejected(Reply.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body over " + maxBodyBytes + " bytes"));
        } else {
            ReferenceCountUtil.release(msg); // the aggregator sends nothing else
            return;
        }
        waiting.add(request);
        if (!busy) {
            next(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        AdminRequest request = waiting.poll();
        if (request == null) {
            busy = false;
            ctx.read();
            return;
        }
        busy = true;
        Reply refused = request.rejection() != null ? request.rejection() : guard.refusal(request);
        CompletableFuture<Reply> reply = refused != null ? CompletableFuture.completedFuture(refused)
                : routes.handle(request);
        reply.whenComplete((ok, failed) -> {
            Reply r = failed == null ? ok : Reply.failure(failed);
            try {
                ctx.executor().execute(() -> respond(ctx, request, r));
            } catch (RejectedExecutionException e) {
                log.debug("event loop stopped before an admin reply was written"); // the connection is gone
            }
        });
    }

    private void respond(ChannelHandlerContext ctx, AdminRequest request, Reply reply) {
        boolean keepAlive = request.keepAlive();
        ctx.writeAndFlush(reply.toResponse(request.version(), keepAlive)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && keepAlive) {
                next(ctx);
            } else {
                waiting.clear();
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (a client that reset the connection); requests themselves never throw up to here.
        log.debug("admin connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    /**
     * The aggregator, with an oversized request turned into a queued 413 (answered in order, as JSON) instead of
     * Netty's bare one written past the replies still pending. A too-large {@code Expect: 100-continue} request is
     * refused by Netty before its body is sent, and the connection closed.
     */
    static final class BodyLimit extends HttpObjectAggregator {
        BodyLimit(int maxBodyBytes) {
            super(maxBodyBytes, true);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (oversized instanceof HttpRequest) {
                ctx.fireChannelRead(TOO_LARGE); // the aggregator releases the message itself
            } else {
                super.handleOversizedMessage(ctx, oversized);
            }
        }
    }
}
