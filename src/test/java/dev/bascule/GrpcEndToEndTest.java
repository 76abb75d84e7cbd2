package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real gRPC client and server (grpc-java, its shaded Netty) talking through Bascule: the client over h2c with
 * prior knowledge and over TLS with ALPN h2, the server behind a {@code protocol: h2c} upstream. Every call
 * kind passes through unchanged, trailers included; deadlines cancel the server's call; a server that is down
 * is UNAVAILABLE. Methods are generic descriptors with a String marshaller, so no generated code is needed.
 */
@ExtendWith(LeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcEndToEndTest {
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static MethodDescriptor<String, String> method(String service, String name, MethodDescriptor.MethodType t) {
        return MethodDescriptor.<String, String>newBuilder().setType(t)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    private static final MethodDescriptor<String, String> UNARY = method("test.Echo", "Unary",
            MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> MANY = method("test.Echo", "Many",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<String, String> COLLECT = method("test.Echo", "Collect",
            MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final MethodDescriptor<String, String> CHAT = method("test.Echo", "Chat",
            MethodDescriptor.MethodType.BIDI_STREAMING);
    private static final MethodDescriptor<String, String> SLOW = method("test.Echo", "Slow",
            MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> FAIL = method("test.Echo", "Fail",
            MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> DOWN = method("test.Down", "Unary",
            MethodDescriptor.MethodType.UNARY);

    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> BLOB = Metadata.Key.of("x-blob-bin", Metadata.BINARY_BYTE_MARSHALLER);
    private static final int STREAMED = 10_000;

    enum Transport { H2C, TLS }

    @TempDir
    static Path dir;
    private Server server;
    private ProxyUnderTest proxy;
    private ManagedChannel h2c;
    private ManagedChannel tls;
    /** Completed by the slow method's server side when its call is cancelled. */
    private volatile CompletableFuture<Boolean> slowCancelled = new CompletableFuture<>();

    @BeforeAll
    void start() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(echoService()).build().start();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        TestCerts.Ca ca = TestCerts.newCa("Bascule Test CA");
        CertificateConfig files = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1")).write(dir, "site");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - name: plain
                    address: 127.0.0.2:0   # all of 127/8 is loopback; two listeners on port 0 need two addresses
                    protocols: [http1, h2c]
                  - name: secure
                    address: 127.0.0.1:0
                    tls: { cert: "%s", key: "%s" }
                upstreams:
                  grpc: { protocol: h2c, servers: [ { address: 127.0.0.1:%d } ] }
                  down: { protocol: h2c, servers: [ { address: 127.0.0.1:%d } ] }
                routes:
                  - match: { path_prefix: /test.Down/ }
                    upstream: down
                  - match: { path_prefix: / }
                    upstream: grpc
                """.formatted(files.cert(), files.key(), server.getPort(), closed), 2);
        InetSocketAddress plain = proxy.bascule().listenerAddresses().get(0);
        InetSocketAddress secure = proxy.bascule().listenerAddresses().get(1);
        h2c = Grpc.newChannelBuilderForAddress(plain.getHostString(), plain.getPort(),
                InsecureChannelCredentials.create()).build();
        ChannelCredentials trust = TlsChannelCredentials.newBuilder()
                .trustManager(ca.writeCert(dir.resolve("ca.pem")).toFile()).build();
        tls = Grpc.newChannelBuilderForAddress(secure.getHostString(), secure.getPort(), trust)
                .overrideAuthority("localhost").build();
    }

    @AfterAll
    void stop() throws Exception {
        for (ManagedChannel c : new ManagedChannel[] {h2c, tls}) {
            if (c != null) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ServerServiceDefinition echoService() {
        return ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((String req, StreamObserver<String> out) -> {
                    out.onNext("echo:" + req);
                    out.onCompleted();
                }))
                .addMethod(MANY, ServerCalls.asyncServerStreamingCall((String req, StreamObserver<String> out) -> {
                    // Sent as fast as the transport takes them: flow control through Bascule has to hold.
                    ServerCallStreamObserver<String> call = (ServerCallStreamObserver<String>) out;
                    int[] next = {0};
                    call.setOnReadyHandler(() -> {
                        while (call.isReady() && next[0] < STREAMED) {
                            call.onNext(req + "-" + next[0]++);
                        }
                        if (next[0] == STREAMED) {
                            next[0]++;
                            call.onCompleted();
                        }
                    });
                }))
                .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    final StringBuilder all = new StringBuilder();
                    int count;

                    @Override
                    public void onNext(String value) {
                        count++;
                        all.append(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        out.onNext(count + ":" + all);
                        out.onCompleted();
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext("re:" + value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((String req, StreamObserver<String> out) -> {
                    // Never answers: the client's deadline has to end the call, and the server must hear of it.
                    CompletableFuture<Boolean> cancelled = slowCancelled;
                    ((ServerCallStreamObserver<String>) out).setOnCancelHandler(() -> cancelled.complete(true));
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((String req, StreamObserver<String> out) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "quota of " + req);
                    trailers.put(BLOB, new byte[] {0, 1, 2, (byte) 0xff});
                    out.onError(Status.FAILED_PRECONDITION.withDescription("not now: état " + req)
                            .asRuntimeException(trailers));
                }))
                .build();
    }

    private ManagedChannel channel(Transport t) {
        return t == Transport.H2C ? h2c : tls;
    }

    private static CallOptions within(long seconds) {
        return CallOptions.DEFAULT.withDeadlineAfter(seconds, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unary(Transport t) {
        assertThat(ClientCalls.blockingUnaryCall(channel(t), UNARY, within(10), "hello"))
                .isEqualTo("echo:hello");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serverStreamsTenThousandMessagesInOrder(Transport t) {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel(t), MANY, within(20), "m");
        int n = 0;
        while (it.hasNext()) {
            assertThat(it.next()).isEqualTo("m-" + n);
            n++;
        }
        assertThat(n).isEqualTo(STREAMED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientStreams(Transport t) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StreamObserver<String> out = ClientCalls.asyncClientStreamingCall(
                channel(t).newCall(COLLECT, within(10)), observer(reply, new ArrayList<>()));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            out.onNext("c" + i + ",");
            expected.append("c").append(i).append(",");
        }
        out.onCompleted();
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("1:" + "500:" + expected);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void bidirectionalStreamingInterleaves(Transport t) throws Exception {
        List<String> got = new ArrayList<>();
        CompletableFuture<String> done = new CompletableFuture<>();
        StreamObserver<String> out = ClientCalls.asyncBidiStreamingCall(channel(t).newCall(CHAT, within(10)),
                observer(done, got));
        // Each message waits for the answer to the one before: both directions are open at once.
        for (int i = 0; i < 50; i++) {
            out.onNext("b" + i);
            int want = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> size(got) == want);
        }
        out.onCompleted();
        done.get(10, TimeUnit.SECONDS);
        synchronized (got) {
            for (int i = 0; i < 50; i++) {
                assertThat(got.get(i)).isEqualTo("re:b" + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void deadlineExceededCancelsTheServersCall(Transport t) throws Exception {
        slowCancelled = new CompletableFuture<>();
        CallOptions shortDeadline = CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel(t), SLOW, shortDeadline, "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(slowCancelled.get(5, TimeUnit.SECONDS)).as("the server saw its call cancelled").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void errorStatusMessageAndMetadataReachTheClient(Transport t) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel(t), FAIL, within(10), "42"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                            .isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("not now: état 42");
                    assertThat(e.getTrailers()).isNotNull();
                    assertThat(e.getTrailers().get(DETAIL)).isEqualTo("quota of 42");
                    assertThat(e.getTrailers().get(BLOB)).containsExactly(0, 1, 2, (byte) 0xff);
                });
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyServerDownIsUnavailable(Transport t) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel(t), DOWN, within(10), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
        // The connection to Bascule survives a local answer: the next call on it works.
        assertThat(ClientCalls.blockingUnaryCall(channel(t), UNARY, within(10), "again")).isEqualTo("echo:again");
    }

    private static int size(List<String> list) {
        synchronized (list) {
            return list.size();
        }
    }

    /** Collects messages into {@code got}; completes {@code done} with the last one, or exceptionally. */
    private static StreamObserver<String> observer(CompletableFuture<String> done, List<String> got) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                synchronized (got) {
                    got.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                synchronized (got) {
                    done.complete(got.isEmpty() ? "" : "1:" + got.get(got.size() - 1));
                }
            }
        };
    }
}
