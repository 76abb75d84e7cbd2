package dev.bascule.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what went wrong when a listening socket cannot accept, and what to do, in one WARN line at most every 10
 * s with the number of failures since the last line, instead of Netty's generic "exceptionCaught() ... reached
 * at the tail of the pipeline" and the bare errno each time. The usual cause is running out of file descriptors
 * (EMFILE): the connection waits in the kernel's backlog, and Netty stops accepting for 1 s and tries again.
 *
 * <p>Where it sits matters. {@code ServerBootstrap} puts the handler given to {@code handler(...)} ahead of its
 * {@code ServerBootstrapAcceptor}, which it adds a moment later; on an accept error that acceptor turns auto-read
 * off for 1 s, because an accept that fails with EMFILE is retried at once otherwise and the event loop spins
 * (netty/netty#1328). Handling the error ahead of the acceptor would skip that pause. So the bootstrap gets
 * {@link #installer()}, which puts an {@code AcceptFailures} last in the pipeline when the listener becomes
 * active (the acceptor is in place by then: Netty adds it before it binds): the error passes the acceptor, which
 * pauses accepting, and ends here.
 *
 * <p>Threading: one instance per listening socket, used on that socket's event loop only.
 */
final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);
    /** Linux errno values: epoll is Linux-only, and Netty reports them negated. */
    private static final int EMFILE = 24;
    private static final int ENFILE = 23;
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Supplier<OptionalLong> descriptorLimit;
    private final Consumer<String> warn;
    /** The listening address, taken when this is added (the socket is bound by then). */
    private String listener = "?";
    /** Failures not reported yet, and the last of them. */
    private int unreported;
    private Throwable lastUnreported;
    /** No line before this time ({@code ticker().nanoTime()}); valid once {@link #reported}. */
    private long quietUntil;
    private boolean reported;
    private boolean flushScheduled;

    AcceptFailures(Supplier<OptionalLong> descriptorLimit, Consumer<String> warn) {
        this.descriptorLimit = descriptorLimit;
        this.warn = warn;
    }

    /** For {@code ServerBootstrap.handler(...)}: see the class comment. */
    static ChannelHandler installer() {
        return installer(DescriptorLimit::current, log::warn);
    }

    static ChannelHandler installer(Supplier<OptionalLong> descriptorLimit, Consumer<String> warn) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.fireChannelActive();
                ctx.pipeline().addLast("accept-failures", new AcceptFailures(descriptorLimit, warn));
                ctx.pipeline().remove(this);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listener = name(ctx.channel().localAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long now = ctx.executor().ticker().nanoTime();
        unreported++;
        lastUnreported = cause;
        if (!reported || now - quietUntil >= 0) {
            report(now);
        } else if (!flushScheduled) {
            // the failures of the rest of this interval get one line at its end, even if none follows
            flushScheduled = true;
            ctx.executor().schedule(() -> {
                flushScheduled = false;
                if (unreported > 0) {
                    report(ctx.executor().ticker().nanoTime());
                }
            }, quietUntil - now, TimeUnit.NANOSECONDS);
        }
        // not passed on: this is the end of the line, and Netty's tail would log it again
    }

    private void report(long now) {
        warn.accept(describe(lastUnreported, descriptorLimit.get()) + " (listener " + listener
                + (unreported == 1 ? ")" : ", " + unreported + " failures since the last message)"));
        unreported = 0;
        lastUnreported = null;
        reported = true;
        quietUntil = now + INTERVAL_NANOS;
    }

    /** What happened and what to do, from an accept error of epoll ({@link Errors.NativeIoException}) or NIO. */
    static String describe(Throwable cause, OptionalLong limit) {
        int errno = cause instanceof Errors.NativeIoException e ? -e.expectedErr() : 0;
        String message = String.valueOf(cause.getMessage());
        // NIO gives strerror's text alone: "Too many open files" (EMFILE), "... in system" (ENFILE)
        boolean io = errno == 0 && cause instanceof IOException;
        if (errno == ENFILE || io && message.endsWith("Too many open files in system")) {
            return "accept failed: too many open files in the system (ENFILE); raise the system's limit"
                    + " (sysctl fs.file-max) or lower limits.max_connections";
        }
        if (errno == EMFILE || io && message.endsWith("Too many open files")) {
            boolean known = limit.isPresent() && limit.getAsLong() != Long.MAX_VALUE;
            String of = known ? " (limit " + limit.getAsLong() + ")" : "";
            return "accept failed: too many open files" + of
                    + "; raise the limit (ulimit -n) or lower limits.max_connections";
        }
        if (errno != 0) { // "accept(..) failed with error(-103): Software caused connection abort"
            int text = message.indexOf("): ");
            return "accept failed: " + (text < 0 ? message : message.substring(text + 3)) + " (errno " + errno + ")";
        }
        return "accept failed: " + message + " (" + cause.getClass().getName() + ")";
    }

    private static String name(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(address);
    }
}
