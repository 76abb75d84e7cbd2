package dev.bascule.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The slow-client defence of one connection, in front of the HTTP codec where it sees raw bytes and the socket
 * reads the proxy asks for:
 * <ul>
 *   <li><b>Header:</b> a request head must arrive whole within {@code client_header} of its first byte (of the
 *       connection being accepted, for the first request), however it trickles in (slowloris). Then {@link
 *       Expired#HEADER} is fired, and the frontend answers 408 (RFC 9110 15.5.9) and closes.
 *   <li><b>Body:</b> while Bascule waits on the client for more of a request body, a byte must arrive at least
 *       every {@code client_body_idle}; time the proxy itself holds the body back (origin not ready) does not
 *       count. Then {@link Expired#BODY} is fired and the frontend abandons the exchange.
 *   <li><b>Idle:</b> a keep-alive connection waiting for its next request is closed {@code client_idle} after
 *       its last response was written ({@link Expired#IDLE}), as nginx's {@code keepalive_timeout} counts. A
 *       request in flight, however slow its origin, is never idle.
 * </ul>
 *
 * <p>One timer task at most is pending per connection, scheduled only when none would fire early enough, so a
 * busy keep-alive connection costs no scheduling per request, and a connection that carries one request costs
 * one schedule and one cancel. Time comes from the event loop's ticker.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class ClientTimeouts extends ChannelDuplexHandler {
    /** User events fired down the pipeline when a timeout expires. */
    enum Expired { HEADER, BODY, IDLE }

    private enum Phase { HEADER, BODY, BUSY, IDLE }

    private final long headerNanos;
    private final long bodyIdleNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.BUSY;
    private long headerDeadline;
    /** When the connection became idle; meaningful in {@link Phase#IDLE} only. */
    private long idleSince;
    /** When Bascule started waiting for body bytes; 0 when it is not waiting. */
    private long waitingSince;
    private ScheduledFuture<?> check;
    private long checkAt;

    ClientTimeouts(long headerMillis, long bodyIdleMillis, long idleMillis) {
        this.headerNanos = TimeUnit.MILLISECONDS.toNanos(headerMillis);
        this.bodyIdleNanos = TimeUnit.MILLISECONDS.toNanos(bodyIdleMillis);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            startHeader();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startHeader();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            if (phase == Phase.IDLE) {
                startHeader(); // the first byte of the next request on a keep-alive connection
            }
            waitingSince = 0;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // A read reaching the socket: Bascule now waits on the client.
        if (phase == Phase.BODY && waitingSince == 0) {
            waitingSince = now();
            armAt(waitingSince + bodyIdleNanos);
        }
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    // ---- told by the frontend ----

    /** A request head was decoded; {@code hasBody} says whether a body follows. */
    void requestHead(boolean hasBody) {
        phase = hasBody ? Phase.BODY : Phase.BUSY;
        waitingSince = 0;
    }

    /** The request was read to its end (or will not be read further). */
    void requestDone() {
        phase = Phase.BUSY;
        waitingSince = 0;
    }

    /** The response is complete and the connection waits for another request. */
    void awaitingRequest() {
        phase = Phase.IDLE;
        waitingSince = 0;
        idleSince = now();
        armIdleCheck(idleSince);
    }

    // ---- timer ----

    private void startHeader() {
        phase = Phase.HEADER;
        headerDeadline = now() + headerNanos;
        armAt(headerDeadline);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /** Makes sure a check runs no later than {@code deadline}. */
    private void armAt(long deadline) {
        if (check != null) {
            if (checkAt - deadline <= 0) {
                return;
            }
            check.cancel(false);
        }
        checkAt = deadline;
        check = ctx.executor().schedule(this::onCheck, Math.max(0, deadline - now()), TimeUnit.NANOSECONDS);
    }

    /**
     * Arms the idle check no later than one {@code client_header} from now: the next request's header deadline
     * is then never earlier than the pending check, so a busy keep-alive connection does not cancel and
     * reschedule on every request. An idle connection pays one wake-up per {@code client_header} instead.
     */
    private void armIdleCheck(long now) {
        long idleDeadline = idleSince + idleNanos;
        long headerBound = now + headerNanos;
        armAt(idleDeadline - headerBound <= 0 ? idleDeadline : headerBound);
    }

    private void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void onCheck() {
        check = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = now();
        if (phase == Phase.HEADER) {
            if (now - headerDeadline >= 0) {
                phase = Phase.BUSY;
                ctx.fireUserEventTriggered(Expired.HEADER);
            } else {
                armAt(headerDeadline);
            }
        } else if (phase == Phase.BODY && waitingSince != 0) {
            if (now - waitingSince >= bodyIdleNanos) {
                phase = Phase.BUSY;
                ctx.fireUserEventTriggered(Expired.BODY);
            } else {
                armAt(waitingSince + bodyIdleNanos);
            }
        } else if (phase == Phase.IDLE) {
            if (now - idleSince >= idleNanos) {
                phase = Phase.BUSY;
                ctx.fireUserEventTriggered(Expired.IDLE);
            } else {
                armIdleCheck(now);
            }
        }
    }
}
