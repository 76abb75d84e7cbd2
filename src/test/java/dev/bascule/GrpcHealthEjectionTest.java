package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Bascule with {@code health_check: { type: grpc }} in front of two grpc-java servers: when one reports
 * NOT_SERVING through its standard health service, calls stop reaching it; when it serves again, they come back.
 */
@ExtendWith(LeakGuard.class)
class GrpcHealthEjectionTest {
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
    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Who/Name")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    private final HealthStatusManager healthA = new HealthStatusManager();
    private Server a;
    private Server b;
    private ProxyUnderTest proxy;
    private ManagedChannel channel;

    private static Server server(String name, HealthStatusManager health) throws IOException {
        return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService())
                .addService(ServerServiceDefinition.builder("test.Who")
                        .addMethod(WHO, ServerCalls.asyncUnaryCall((String req, StreamObserver<String> out) -> {
                            out.onNext(name);
                            out.onCompleted();
                        })).build())
                .build().start();
    }

    @BeforeEach
    void start() throws Exception {
        a = server("a", healthA);
        b = server("b", new HealthStatusManager());
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0, protocols: [http1, h2c] } ]
                upstreams:
                  grpc:
                    protocol: h2c
                    balancer: round_robin
                    servers: [ { address: 127.0.0.1:%d }, { address: 127.0.0.1:%d } ]
                    health_check: { type: grpc, interval: 100ms, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 1 }
                routes:
                  - match: { path_prefix: / }
                    upstream: grpc
                """.formatted(a.getPort(), b.getPort()), 1);
        InetSocketAddress address = proxy.address();
        channel = Grpc.newChannelBuilderForAddress(address.getHostString(), address.getPort(),
                InsecureChannelCredentials.create()).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        a.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        b.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private String who() {
        return ClientCalls.blockingUnaryCall(channel, WHO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                "");
    }

    /** True when {@code n} calls in a row all reached {@code name}. */
    private boolean allReach(String name, int n) {
        for (int i = 0; i < n; i++) {
            if (!who().equals(name)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aNotServingServerIsTakenOutAndComesBack() {
        await().atMost(Duration.ofSeconds(10)).until(() -> who().equals("a"));
        healthA.setStatus("", ServingStatus.NOT_SERVING);
        await().atMost(Duration.ofSeconds(10)).until(() -> allReach("b", 10));
        healthA.setStatus("", ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(10)).until(() -> who().equals("a"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) {
            seen.add(who());
        }
        assertThat(seen).as("round robin over both again").containsExactlyInAnyOrder("a", "b");
    }
}
