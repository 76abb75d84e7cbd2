package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.nginx.NginxImport;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's nginx.conf, imported and run: its docker host names swapped for four real origins on loopback and
 * its port 80 for a free one, nothing else changed. Requests go where nginx sent them, by host and by path.
 */
@ExtendWith(LeakGuard.class)
class ImportedNginxTest {
    private final List<TestOrigin> origins = new ArrayList<>();
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        String conf = Files.readString(Path.of("src/test/resources/nginx/seed-nginx.conf"))
                .replace("listen 80;", "listen 127.0.0.1:0;");
        for (String name : new String[] {"web-blue-01", "web-blue-02", "web-green-01", "web-green-02"}) {
            TestOrigin o = TestOrigin.start(name);
            origins.add(o);
            conf = conf.replace(name + ":80", o.address());
        }
        NginxImport.Result imported = NginxImport.translate(conf, "nginx.conf");
        proxy = ProxyUnderTest.start(imported.yaml(), 2);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origins.forEach(TestOrigin::close);
    }

    private static String get(RawHttp c, String host, String path) throws Exception {
        RawHttp.Response r = c.exchange("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        return r.header("x-origin");
    }

    @Test
    void requestsGoWhereNginxSentThem() throws Exception {
        try (RawHttp c = proxy.raw()) {
            List<String> blue = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                blue.add(get(c, "blue.labs.com.br", "/x"));
            }
            assertThat(blue).as("weight=2 and 1, as nginx's upstream said")
                    .containsExactlyInAnyOrder("web-blue-01", "web-blue-01", "web-blue-01", "web-blue-01",
                            "web-blue-02", "web-blue-02");
            assertThat(get(c, "green.labs.com.br", "/x")).startsWith("web-green-");
            assertThat(get(c, "labs.com.br", "/green/hello")).startsWith("web-green-");
            assertThat(get(c, "labs.com.br", "/blue/hello")).startsWith("web-blue-");
            assertThat(get(c, "labs.com.br", "/")).startsWith("web-blue-");
            assertThat(get(c, "unknown.test", "/green/x")).as("the first server is the default").startsWith("web-green-");
            assertThat(get(c, "labs.com.br", "/greenhouse"))
                    .as("Bascule's prefixes are whole segments (the YAML says so)").startsWith("web-blue-");
        }
        TestOrigin.Recorded green = origins.get(2).recorded().isEmpty() ? origins.get(3).recorded().get(0)
                : origins.get(2).recorded().get(0);
        assertThat(green.uri()).isEqualTo("/x");
        assertThat(green.headers().get("host")).as("nginx's default Host: the proxy_pass host").isEqualTo("web-green");
        List<String> greenUris = new ArrayList<>();
        for (TestOrigin o : origins.subList(2, 4)) {
            o.recorded().forEach(r -> greenUris.add(r.uri()));
        }
        assertThat(greenUris).containsExactlyInAnyOrder("/x", "/hello", "/x");
    }
}
