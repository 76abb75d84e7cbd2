package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bascule.testing.LeakGuard;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The listener's accept errors: one clear line per burst and interval, placed behind the stand-in for Netty's
 * {@code ServerBootstrapAcceptor} so that it still pauses accepting, and never reaching the pipeline's tail.
 */
@ExtendWith(LeakGuard.class)
class AcceptFailuresTest {
    private static final String EMFILE_LINE = "accept failed: too many open files (limit 300); raise the limit"
            + " (ulimit -n) or lower limits.max_connections";

    private static final String ENFILE_LINE = "accept failed: too many open files in the system (ENFILE); raise"
            + " the system's limit (sysctl fs.file-max) or lower limits.max_connections";

    private final List<String> lines = new ArrayList<>();
    private int seenByAcceptor;
    /** Stands for ServerBootstrapAcceptor: counts the errors it sees and passes them on, as it does. */
    private final ChannelInboundHandlerAdapter acceptor = new ChannelInboundHandlerAdapter() {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seenByAcceptor++;
            ctx.fireExceptionCaught(cause);
        }
    };

    private EmbeddedChannel listener() {
        // as in ServerBootstrap: the installer first, the acceptor behind it, then the channel becomes active
        EmbeddedChannel ch = new EmbeddedChannel(
                AcceptFailures.installer(() -> OptionalLong.of(300), lines::add), acceptor);
        ch.freezeTime();
        return ch;
    }

    /** As epoll reports it where its native library loads, else as NIO does. */
    private static Throwable emfile() {
        return Epoll.isAvailable()
                ? new Errors.NativeIoException("accept", -24)
                : new IOException("Too many open files");
    }

    @Test
    void theErrorPassesTheAcceptorAndEndsBehindIt() {
        EmbeddedChannel ch = listener();
        assertThat(ch.pipeline().first()).as("the installer is gone").isSameAs(acceptor);
        assertThat(ch.pipeline().last()).isInstanceOf(AcceptFailures.class);
        assertThat(ch.pipeline().toMap()).hasSize(2);
        ch.pipeline().fireExceptionCaught(emfile());
        assertThat(seenByAcceptor).as("the acceptor still pauses accepting").isEqualTo(1);
        assertThat(lines).containsExactly(EMFILE_LINE + " (listener embedded)");
        ch.checkException(); // nothing reached Netty's tail (it would rethrow here)
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void oneLineEveryTenSecondsWithTheCountSinceTheLast() {
        EmbeddedChannel ch = listener();
        ch.pipeline().fireExceptionCaught(emfile());
        assertThat(lines).hasSize(1);
        for (int i = 0; i < 4; i++) {
            ch.advanceTimeBy(1, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            ch.pipeline().fireExceptionCaught(emfile());
        }
        assertThat(lines).as("4 s after the first line").hasSize(1);
        ch.advanceTimeBy(5999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(lines).as("just under 10 s").hasSize(1);
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(lines).as("the burst's end is reported without a further failure").hasSize(2);
        assertThat(lines.get(1)).isEqualTo(EMFILE_LINE + " (listener embedded, 4 failures since the last message)");

        ch.advanceTimeBy(1, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertThat(lines).as("quiet when nothing fails").hasSize(2);
        ch.pipeline().fireExceptionCaught(new IOException("Too many open files")); // NIO's form
        assertThat(lines).as("a new burst is reported at once").hasSize(3);
        assertThat(lines.get(2)).isEqualTo(EMFILE_LINE + " (listener embedded)");
        ch.checkException();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whatEachNioErrorSays() {
        OptionalLong limit = OptionalLong.of(300);
        assertThat(AcceptFailures.describe(new IOException("Too many open files"), limit)).isEqualTo(EMFILE_LINE);
        assertThat(AcceptFailures.describe(new IOException("Too many open files"), OptionalLong.empty()))
                .isEqualTo("accept failed: too many open files; raise the limit (ulimit -n) or lower"
                        + " limits.max_connections");
        assertThat(AcceptFailures.describe(new IOException("Too many open files in system"), limit))
                .isEqualTo(ENFILE_LINE);
        assertThat(AcceptFailures.describe(new IOException("Something else"), limit))
                .isEqualTo("accept failed: Something else (java.io.IOException)");
    }

    @Test
    void whatEachEpollErrorSays() {
        assumeTrue(Epoll.isAvailable(), "epoll's native library");
        OptionalLong limit = OptionalLong.of(300);
        // Netty's text: "accept(..) failed with error(-24): Too many open files"
        assertThat(AcceptFailures.describe(new Errors.NativeIoException("accept", -24), limit))
                .isEqualTo(EMFILE_LINE);
        assertThat(AcceptFailures.describe(new Errors.NativeIoException("accept", -23), limit))
                .isEqualTo(ENFILE_LINE);
        assertThat(AcceptFailures.describe(new Errors.NativeIoException("accept", -103), limit))
                .isEqualTo("accept failed: Software caused connection abort (errno 103)");
    }
}
