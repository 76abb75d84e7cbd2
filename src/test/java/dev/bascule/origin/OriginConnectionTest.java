package dev.bascule.origin;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One origin connection's handler in an {@link EmbeddedChannel} behind the client codec, as {@link OriginPool}
 * builds its pipeline: what the owning request's {@link OriginListener} hears, who owns each buffer, and how the
 * connection goes back to its loop's pool or away.
 */
@ExtendWith(LeakGuard.class)
class OriginConnectionTest {
    private static final InetSocketAddress ORIGIN_ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
    private static final Server SERVER = new Server("127.0.0.1:9", ORIGIN_ADDRESS, 1, new ServerState());
    /** The key the pool keeps idle connections under. */
    private static final ServerState ORIGIN = SERVER.state();
    private static final long IDLE_MILLIS = 1_000;

    /** As strict as OriginPool's decoder (RFC 9112): CRLF only, validated headers, no CL with TE. */
    private static final HttpDecoderConfig STRICT = new HttpDecoderConfig()
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<HttpContent> owned = new ArrayList<>();

    /** The pool of one loop; the one place that knows how an OriginPool is made. */
    private static OriginPool.LoopPool loopPool(int maxIdlePerServer) {
        OriginPool pool = new OriginPool(NioSocketChannel.class, maxIdlePerServer);
        return pool.new LoopPool();
    }

    /** A connection in its pipeline (idle timer, codec, handler), owned by {@code listener}; time is frozen. */
    private EmbeddedChannel open(OriginHttp1Connection connection, RecordingListener listener) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime(); // before the idle timer starts counting
        ch.pipeline().addLast(
                new IdleStateHandler(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS),
                new HttpClientCodec(STRICT, false, false),
                connection);
        channels.add(ch);
        if (listener != null) {
            connection.attach(listener);
        }
        return ch;
    }

    private static OriginHttp1Connection connection(OriginPool.LoopPool pool) {
        return new OriginHttp1Connection(pool, SERVER, null, null);
    }

    /** Sends a GET as a request would (the client codec pairs each response with its request's method). */
    private static void sendGet(OriginHttp1Connection connection, EmbeddedChannel ch) {
        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        get.headers().set(HttpHeaderNames.HOST, "origin.test");
        connection.writeAndFlush(get);
        ByteBuf sent = ch.readOutbound();
        assertThat(sent.toString(US_ASCII)).startsWith("GET /x HTTP/1.1\r\n");
        sent.release();
    }

    private static void receive(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, US_ASCII));
    }

    @AfterEach
    void releaseAll() {
        owned.forEach(HttpContent::release);
        for (EmbeddedChannel ch : channels) {
            assertThat(ch.finishAndReleaseAll()).as("messages left in the channel").isFalse();
        }
    }

    @Test
    void responseEventsReachTheListenerInOrderAndItOwnsEachBody() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        receive(ch, "world");

        assertThat(listener.events).containsExactly(
                "head 200", "content hello", "readComplete", "last world", "readComplete");
        assertThat(owned).as("every piece of body handed over with one reference, the listener's")
                .allSatisfy(c -> assertThat(c.refCnt()).isEqualTo(1));
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void chunkedBodyEndsWithTheLastContent() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        receive(ch, "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        assertThat(listener.events).containsExactly("head 404", "content hello", "last ", "readComplete");
    }

    @Test
    void informationalHeadsAreDeliveredBeforeTheFinalOne() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        receive(ch, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n");

        assertThat(listener.events).containsExactly("head 103", "last ", "head 204", "last ", "readComplete");
    }

    @Test
    void closeBeforeTheResponseReportsOriginClosedOnce() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        ch.close();

        assertThat(listener.events).containsExactly("closed null");
        assertThat(connection.isActive()).isFalse();
    }

    @Test
    void closeInTheMiddleOfABodyReportsOriginClosedWithoutALastContent() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");

        ch.close();

        // the owner sees that the body never ended: no "last" before the close
        assertThat(listener.events).containsExactly("head 200", "content hello", "readComplete", "closed null");
    }

    @Test
    void bodyDelimitedByCloseEndsWithLastContentThenClose() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);
        receive(ch, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello");

        ch.close();

        // RFC 9112 6.3 (8): with neither length nor chunking, the close ends the body
        assertThat(listener.events).containsExactly(
                "head 200", "content hello", "readComplete", "last ", "readComplete", "closed null");
    }

    @Test
    void anIoErrorIsTheCloseCause() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);
        IOException reset = new IOException("Connection reset by peer");

        ch.pipeline().fireExceptionCaught(reset);

        assertThat(listener.events).containsExactly("closed IOException");
        assertThat(listener.closeCause).isSameAs(reset);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void malformedStatusLineClosesWithMalformedResponseException() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        receive(ch, "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n");

        assertThat(listener.events).containsExactly("closed MalformedResponseException");
        assertThat(listener.closeCause).hasMessageStartingWith("malformed response from origin");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void contentLengthWithTransferEncodingIsMalformed() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        // RFC 9112 6.1: a sender must not send both; the framing cannot be trusted
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        assertThat(listener.events).containsExactly("closed MalformedResponseException");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void badChunkAfterTheHeadIsMalformed() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        receive(ch, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");

        assertThat(listener.events).containsExactly("head 200", "content hello", "closed MalformedResponseException");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void releaseReturnsTheConnectionToItsLoopsPoolReadingAgain() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        connection.setReading(false);

        connection.release();

        assertThat(ch.config().isAutoRead()).as("an idle pooled connection must notice the origin closing").isTrue();
        assertThat(ch.isActive()).isTrue();
        assertThat(pool.poll(ORIGIN, null)).isSameAs(connection);
        assertThat(pool.poll(ORIGIN, null)).as("handed out once").isNull();
        assertThat(listener.events).containsExactly("head 200", "last ok", "readComplete");
    }

    @Test
    void pooledConnectionThatClosesLeavesThePoolAndTellsNoFormerOwner() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        connection.release();
        assertThat(pool.queues(null, false).get(ORIGIN)).containsExactly(connection);

        ch.close();

        assertThat(pool.queues(null, false).get(ORIGIN)).isEmpty();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void bytesFromTheOriginWhileNobodyOwnsTheConnectionCloseIt() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        connection.release();

        // the stream is out of step: no request is waiting for this response
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

        assertThat(ch.isActive()).isFalse();
        assertThat(pool.poll(ORIGIN, null)).isNull();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void releaseBeyondTheIdleLimitCloses() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        OriginHttp1Connection first = connection(pool);
        OriginHttp1Connection second = connection(pool);
        EmbeddedChannel firstChannel = open(first, new RecordingListener(owned));
        EmbeddedChannel secondChannel = open(second, new RecordingListener(owned));

        first.release();
        second.release();

        assertThat(firstChannel.isActive()).isTrue();
        assertThat(secondChannel.isActive()).as("one idle connection per server is the limit here").isFalse();
        assertThat(pool.poll(ORIGIN, null)).isSameAs(first);
    }

    @Test
    void releaseOfAClosedConnectionDoesNotPoolIt() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        ch.close();

        connection.release();

        assertThat(pool.poll(ORIGIN, null)).isNull();
        assertThat(listener.events).containsExactly("closed null");
    }

    @Test
    void discardClosesWithoutTellingTheOwner() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");

        connection.discard();

        assertThat(ch.isActive()).isFalse();
        assertThat(pool.poll(ORIGIN, null)).isNull();
        assertThat(listener.events).containsExactly("head 200", "content hello", "readComplete");
    }

    @Test
    void setReadingFalseStopsAskingForReadsUntilResumed() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        ReadCounter reads = new ReadCounter();
        ch.pipeline().addFirst(reads);
        sendGet(connection, ch);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel");
        assertThat(reads.count).as("auto-read asks for the next read after each one").isPositive();

        connection.setReading(false);
        int before = reads.count;
        receive(ch, "lo");

        assertThat(ch.config().isAutoRead()).isFalse();
        assertThat(reads.count).as("no read asked for while paused").isEqualTo(before);

        connection.setReading(true);

        assertThat(reads.count).as("resuming asks for a read at once").isGreaterThan(before);
        receive(ch, "world");
        assertThat(listener.events).containsExactly("head 200", "content hel", "readComplete", "content lo",
                "readComplete", "last world", "readComplete");
    }

    @Test
    void writabilityChangesReachTheOwner() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        DefaultHttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        post.headers().set(HttpHeaderNames.HOST, "origin.test").set(HttpHeaderNames.CONTENT_LENGTH, 64);

        connection.write(post);
        connection.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[64])));

        assertThat(connection.isWritable()).isFalse();
        assertThat(listener.events).containsExactly("writable false");

        connection.flush();

        assertThat(connection.isWritable()).isTrue();
        assertThat(listener.events).containsExactly("writable false", "writable true");
        for (Object sent; (sent = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(sent);
        }
    }

    @Test
    void silentOriginIsClosedOnlyWhenTheOwnerAgrees() throws Exception {
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(loopPool(1));
        EmbeddedChannel ch = open(connection, listener);
        sendGet(connection, ch);

        listener.closeWhenSilent = false; // still sending the request: the origin may rightly wait for all of it
        ch.advanceTimeBy(IDLE_MILLIS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(listener.events).containsExactly("silent");
        assertThat(ch.isActive()).isTrue();

        listener.closeWhenSilent = true;
        ch.advanceTimeBy(IDLE_MILLIS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(listener.events).containsExactly("silent", "silent", "closed IOException");
        assertThat(listener.closeCause).isSameAs(OriginHttp1Connection.IDLE);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void idlePooledConnectionTimesOutAndLeavesThePool() throws Exception {
        OriginPool.LoopPool pool = loopPool(1);
        RecordingListener listener = new RecordingListener(owned);
        OriginHttp1Connection connection = connection(pool);
        EmbeddedChannel ch = open(connection, listener);
        connection.release();

        ch.advanceTimeBy(IDLE_MILLIS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();

        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isActive()).isFalse();
        assertThat(pool.poll(ORIGIN, null)).isNull();
        assertThat(listener.events).as("released: the former owner hears nothing").isEmpty();
    }

    /** Counts the reads the pipeline asks the socket for. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }

    /** Records events as text; takes ownership of each body piece into {@code owned}, released after the test. */
    private static final class RecordingListener implements OriginListener {
        final List<String> events = new ArrayList<>();
        final List<HttpContent> owned;
        Throwable closeCause;
        boolean closeWhenSilent = true;

        RecordingListener(List<HttpContent> owned) {
            this.owned = owned;
        }

        @Override
        public void originConnected(OriginConnection connection, boolean reused) {
            events.add("connected " + reused);
        }

        @Override
        public void originConnectFailed(Throwable cause) {
            events.add("connectFailed " + cause.getClass().getSimpleName());
        }

        @Override
        public void originResponseHead(HttpResponse head) {
            events.add("head " + head.status().code());
        }

        @Override
        public void originResponseContent(HttpContent content) {
            owned.add(content);
            events.add((content instanceof LastHttpContent ? "last " : "content ") + content.content().toString(US_ASCII));
        }

        @Override
        public void originReadComplete() {
            events.add("readComplete");
        }

        @Override
        public void originWritabilityChanged(boolean writable) {
            events.add("writable " + writable);
        }

        @Override
        public void originClosed(Throwable cause) {
            closeCause = cause;
            events.add("closed " + (cause == null ? "null" : cause.getClass().getSimpleName()));
        }

        @Override
        public boolean closeWhenOriginSilent() {
            events.add("silent");
            return closeWhenSilent;
        }
    }
}
