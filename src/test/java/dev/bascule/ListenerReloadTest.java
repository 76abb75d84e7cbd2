package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners across reloads: one the new config adds is open before the config is in force, and one that cannot
 * be opened rejects the whole reload, leaving the running config, routes and listeners included, as it was.
 */
@ExtendWith(LeakGuard.class)
class ListenerReloadTest {
    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue-01");
        green = TestOrigin.start("green-01");
        proxy = ProxyUnderTest.start(config("", "blue"), 1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    /** One listener on a free port (and optionally a second one), every request to {@code upstream}. */
    private String config(String extraListener, String upstream) {
        return """
                listeners:
                  - { name: main, address: 127.0.0.1:0 }
                %s
                upstreams:
                  blue: { servers: [ { address: %s } ] }
                  green: { servers: [ { address: %s } ] }
                routes: [ { match: { path_prefix: / }, upstream: %s } ]
                """.formatted(extraListener, blue.address(), green.address(), upstream);
    }

    private long reload(String yaml) throws Exception {
        return proxy.bascule().control().reload(ProxyUnderTest.parse(yaml)).get(10, TimeUnit.SECONDS);
    }

    private static String answerFrom(InetSocketAddress address) throws Exception {
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            return r.bodyText();
        }
    }

    @Test
    void aListenerOnAPortAlreadyTakenRejectsTheReloadAndChangesNothing() throws Exception {
        InetSocketAddress main = proxy.address();
        assertThat(answerFrom(main)).contains("blue-01");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> reload(config("  - { name: extra, address: 127.0.0.1:" + port + " }", "green")))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener extra: cannot listen on 127.0.0.1:" + port);
        }

        assertThat(proxy.bascule().listenerAddresses()).containsExactly(main);
        assertThat(answerFrom(main)).as("the old routes stay").contains("blue-01");
        assertThat(proxy.bascule().control().config().get().routes().get(0).upstream()).isEqualTo("blue");
    }

    @Test
    void aRefusedReloadLeavesAListenerItSwitchedToTlsAsItWas(@TempDir Path dir) throws Exception {
        CertificateConfig cert = TestCerts.newCa("CA").issue("site.test", List.of("site.test"), List.of("127.0.0.1"))
                .write(dir, "site");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            BasculeConfig next = TlsConfigs.tls(
                    ProxyUnderTest.parse(config("  - { name: extra, address: 127.0.0.1:" + port + " }", "green")),
                    null, cert);

            assertThatThrownBy(() -> proxy.bascule().control().reload(next).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener extra: cannot listen on 127.0.0.1:" + port);
        }

        // The main listener was re-bound for TLS, then back to plain HTTP when the reload was refused; on port 0
        // that is a new port.
        assertThat(proxy.bascule().listenerAddresses()).hasSize(1);
        assertThat(answerFrom(proxy.bascule().listenerAddresses().get(0))).contains("blue-01");
    }

    @Test
    void aNewListenerIsOpenWhenTheReloadCompletes() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }

        reload(config("  - { name: extra, address: 127.0.0.1:" + free + " }", "green"));

        InetSocketAddress extra = new InetSocketAddress(InetAddress.getLoopbackAddress(), free);
        assertThat(proxy.bascule().listenerAddresses()).hasSize(2).contains(extra);
        assertThat(answerFrom(extra)).contains("green-01");
        assertThat(answerFrom(proxy.address())).contains("green-01");

        reload(config("", "green"));
        assertThat(proxy.bascule().listenerAddresses()).hasSize(1).doesNotContain(extra);
        assertThat(answerFrom(proxy.address())).contains("green-01");
    }
}
