package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TlsConfigs;
import dev.bascule.testing.WebSocketInbox;
import dev.bascule.testing.WebSocketOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://}: the tunnel sits behind the listener's TLS handler, which stays when the HTTP handlers go. */
@ExtendWith(LeakGuard.class)
class WebSocketTlsTest {
    @TempDir
    Path dir;

    @Test
    void aSecureWebSocketThroughATlsListenerEchoesIntact() throws Exception {
        TestCerts.Ca ca = TestCerts.newCa("Bascule Test CA");
        CertificateConfig files = ca.issue("a.test", List.of("a.test"), List.of("127.0.0.1")).write(dir, "a");
        try (WebSocketOrigin origin = WebSocketOrigin.start("ws-tls");
                ProxyUnderTest proxy = ProxyUnderTest.start(
                        TlsConfigs.tls(TlsConfigs.simple(origin.address()), "max-age=60", files), 1)) {
            HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext())
                    .version(HttpClient.Version.HTTP_1_1).build();
            WebSocketInbox inbox = WebSocketInbox.open(client, URI.create("wss://127.0.0.1:" + proxy.port() + "/ws"));
            assertThat(inbox.roundTrip("over tls")).isEqualTo("over tls");
            byte[] big = new byte[512 * 1024];
            new Random(7).nextBytes(big);
            for (int i = 0; i < 4; i++) {
                inbox.socket().sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 4; i++) {
                assertThat((byte[]) inbox.next()).isEqualTo(big);
            }
            inbox.socket().sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            assertThat(inbox.closed().get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        }
    }
}
