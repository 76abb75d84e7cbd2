package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The redirect target: the Host header without its port, never anything that could point elsewhere. */
@ExtendWith(LeakGuard.class)
class HttpsRedirectHandlerTest {
    @Test
    void location() {
        assertThat(HttpsRedirectHandler.location("a.test", "/x?y")).isEqualTo("https://a.test/x?y");
        assertThat(HttpsRedirectHandler.location("a.test:8080", "/")).isEqualTo("https://a.test/");
        assertThat(HttpsRedirectHandler.location("[2001:db8::1]:80", "/p")).isEqualTo("https://[2001:db8::1]/p");
        assertThat(HttpsRedirectHandler.location("10.0.0.1", "//evil.test")).isEqualTo("https://10.0.0.1//evil.test");
    }

    @Test
    void refused() {
        assertThat(HttpsRedirectHandler.location(null, "/")).isNull();
        assertThat(HttpsRedirectHandler.location("", "/")).isNull();
        assertThat(HttpsRedirectHandler.location("a.test", "http://b.test/")).isNull();
        assertThat(HttpsRedirectHandler.location("a.test", "*")).isNull();
        assertThat(HttpsRedirectHandler.location("evil.test/x", "/")).isNull();
        assertThat(HttpsRedirectHandler.location("u@evil.test", "/")).isNull();
        assertThat(HttpsRedirectHandler.location("a.test:80x", "/")).isNull();
        assertThat(HttpsRedirectHandler.location("a.test:", "/")).isNull();
        assertThat(HttpsRedirectHandler.location(":80", "/")).isNull();
        assertThat(HttpsRedirectHandler.location("[::1", "/")).isNull();
    }
}
