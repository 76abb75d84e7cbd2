package dev.bascule.proxy;

import dev.bascule.control.ProxySettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * The slow-client defence of one connection, fed the raw bytes read and the socket reads the proxy asks for:
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
 * <p>Two ways in. While the connection's protocol is not settled (a TLS handshake, ALPN, the h2c preface to
 * tell), it is a handler in front of the one that settles it, and that one closes the connection on {@link
 * Expired#HEADER}. Once HTTP/1.1 is settled, {@link FrontendCodec} drives it instead ({@link #attach}, {@link
 * #bytesArrived}, {@link #readAsked}, {@link #detach}) and it fires from the codec's place, so a plain HTTP/1.1
 * connection carries no pipeline context for it.
 *
 * <p>It is also the connection's one timer for the frontend's own deadlines (the response head of the request in
 * flight): {@link #wakeAt} has {@link Expired#DEADLINE} fired down the pipeline by then, and the frontend checks
 * what is due. One timer at most is armed per connection, in the event loop's {@link LoopTimers}, for the
 * earliest of all these, and only moved when none would fire early enough, so a busy keep-alive connection costs
 * no timer work per request. Time comes from the event loop's ticker.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class ClientTimeouts extends ChannelDuplexHandler implements LoopTimers.Timer {
    /** User events fired down the pipeline when a timeout expires, or a deadline the frontend set has come. */
    enum Expired { HEADER, BODY, IDLE, DEADLINE }

    private enum Phase { HEADER, BODY, BUSY, IDLE }

    /** No deadline: ticker time starts near zero when the process does, so it never reads this. */
    private static final long NONE = Long.MIN_VALUE;

    /**
     * The limits, the snapshot's at accept: {@code client_header}, {@code client_body_idle}, {@code client_idle}.
     * Shared by every connection accepted under them, where three of its own would cost each connection 24 bytes.
     */
    private final ProxySettings limits;
    /** Where expiries are fired from: its own place while in the pipeline, else the codec's. Null before. */
    private ChannelHandlerContext ctx;
    /** The event loop's timers, where this connection's one timer is armed; set with the first context. */
    private LoopTimers timers;
    private int timerIndex = -1;
    /** Null until the header clock first starts. */
    private Phase phase;
    /**
     * When the phase's timeout expires: the whole head's ({@link Phase#HEADER}), the next body byte's ({@link
     * Phase#BODY}; {@link #NONE} while Bascule is not waiting on the client), the next request's ({@link
     * Phase#IDLE}).
     */
    private long deadline = NONE;
    /** The earliest deadline the frontend asked to hear of ({@link #wakeAt}); {@link #NONE} when none. */
    private long frontendDeadline = NONE;

    ClientTimeouts(ProxySettings limits) {
        this.limits = limits;
    }

    // ---- in the pipeline, before the protocol is settled ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        attach(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startHeader();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            bytesArrived(buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        readAsked();
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        detach(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    // ---- from the handler that feeds it ----

    /**
     * Fires expiries from {@code ctx} on; starts the header clock if the connection is up and it has not started.
     * A codec taking over from the pipeline handler keeps the clocks running.
     */
    void attach(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (timers == null) {
            timers = LoopTimers.of(ctx.executor());
        }
        if (phase == null && ctx.channel().isActive()) {
            startHeader();
        }
    }

    /** {@code ctx} leaves the pipeline: the timer stops, unless another has taken over meanwhile. */
    void detach(ChannelHandlerContext ctx) {
        if (this.ctx == ctx) {
            cancel();
        }
    }

    /** The connection came up (for a feeder attached before it did). */
    void active() {
        if (phase == null) {
            startHeader();
        }
    }

    /** Bytes read from the socket, before anything decodes them. */
    void bytesArrived(ByteBuf buf) {
        if (!buf.isReadable()) {
            return;
        }
        if (phase == Phase.IDLE) {
            startHeader(); // the first byte of the next request on a keep-alive connection
        } else if (phase == Phase.BODY) {
            deadline = NONE; // a body byte: no longer waiting
        }
    }

    /** A read is about to reach the socket: Bascule now waits on the client. */
    void readAsked() {
        if (phase == Phase.BODY && deadline == NONE) {
            deadline = now() + TimeUnit.MILLISECONDS.toNanos(limits.clientBodyIdleMillis());
            armAt(deadline);
        }
    }

    /** The connection closed, or left HTTP/1.1: no timeout applies any more. */
    void cancel() {
        if (timers != null) {
            timers.cancel(this);
        }
    }

    // ---- told by the frontend ----

    /** A request head was decoded; {@code hasBody} says whether a body follows. */
    void requestHead(boolean hasBody) {
        phase = hasBody ? Phase.BODY : Phase.BUSY;
        deadline = NONE;
    }

    /** The request was read to its end (or will not be read further). */
    void requestDone() {
        phase = Phase.BUSY;
        deadline = NONE;
    }

    /** The response is complete and the connection waits for another request. */
    void awaitingRequest() {
        phase = Phase.IDLE;
        long now = now();
        deadline = now + TimeUnit.MILLISECONDS.toNanos(limits.clientIdleMillis());
        armIdleCheck(now);
    }

    /**
     * Makes sure {@link Expired#DEADLINE} is fired no later than {@code at} (ticker time). Lazy, as {@link
     * LazyTimer}: it may come early, or for a deadline since moved; the frontend checks what is due and asks again.
     */
    void wakeAt(long at) {
        if (frontendDeadline == NONE || at - frontendDeadline < 0) {
            frontendDeadline = at;
        }
        armAt(frontendDeadline);
    }

    // ---- timer ----

    private void startHeader() {
        phase = Phase.HEADER;
        deadline = now() + headerNanos();
        armAt(deadline);
    }

    private long headerNanos() {
        return TimeUnit.MILLISECONDS.toNanos(limits.clientHeaderTimeoutMillis());
    }

    private long now() {
        return timers.now();
    }

    /** Makes sure a check runs no later than {@code at}. */
    private void armAt(long at) {
        if (timerIndex >= 0 && timers.deadline(this) - at <= 0) {
            return;
        }
        timers.arm(this, at);
    }

    /**
     * Arms the idle check no later than one {@code client_header} from now: the next request's header deadline
     * is then never earlier than the pending check, so a busy keep-alive connection does not move its timer on
     * every request. An idle connection pays one wake-up per {@code client_header} instead.
     */
    private void armIdleCheck(long now) {
        long headerBound = now + headerNanos();
        armAt(deadline - headerBound <= 0 ? deadline : headerBound);
    }

    @Override
    public int timerIndex() {
        return timerIndex;
    }

    @Override
    public void timerIndex(int index) {
        timerIndex = index;
    }

    /** The check, run by the event loop's timers. */
    @Override
    public void expired() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = now();
        checkPhase(now);
        if (frontendDeadline != NONE) {
            if (now - frontendDeadline >= 0) {
                frontendDeadline = NONE;
                ctx.fireUserEventTriggered(Expired.DEADLINE);
            } else {
                armAt(frontendDeadline);
            }
        }
    }

    private void checkPhase(long now) {
        if (phase == Phase.BUSY || phase == null || deadline == NONE) {
            return;
        }
        if (now - deadline < 0) {
            if (phase == Phase.IDLE) {
                armIdleCheck(now);
            } else {
                armAt(deadline);
            }
            return;
        }
        Expired expired = phase == Phase.HEADER ? Expired.HEADER : phase == Phase.BODY ? Expired.BODY : Expired.IDLE;
        phase = Phase.BUSY;
        deadline = NONE;
        ctx.fireUserEventTriggered(expired);
    }
}
