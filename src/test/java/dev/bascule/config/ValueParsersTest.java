package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The small parsers behind the newer keys, on the values a config error test would be too coarse for. */
class ValueParsersTest {

    @ParameterizedTest
    @CsvSource({"200, 200, 200", "200-399, 200, 399", "100-599, 100, 599", "204-204, 204, 204"})
    void statusRanges(String text, int min, int max) {
        assertThat(HealthBinder.parseStatusRange(text)).isEqualTo(new HealthBinder.StatusRange(min, max));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "99", "600", "2xx", "200-", "-399", "200-399-400", "200 - 399", "0200", "399-200", "+200"})
    void badStatusRanges(String text) {
        assertThatThrownBy(() -> HealthBinder.parseStatusRange(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expect_status");
    }

    @ParameterizedTest
    @ValueSource(strings = {"max-age=0", "max-age=31536000", "max-age=31536000; includeSubDomains",
        "max-age=63072000; includeSubDomains; preload", "max-age=1 ;preload"})
    void hstsValues(String text) {
        assertThat(ListenerBinder.checkHsts(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "max-age", "max-age=", "max-age=x", "max-age=-1", "Max-Age=1", "includeSubDomains",
        "max-age=1x", "max-age=1\r\nX-Injected: 1", "max-age=1\u00e9"})
    void badHstsValues(String text) {
        assertThatThrownBy(() -> ListenerBinder.checkHsts(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hsts");
    }

    @ParameterizedTest
    @CsvSource({"100, 100", "0.5, 0.5", "2.25, 2.25", "007, 7"})
    void rates(String text, double expected) {
        assertThat(RouteBinder.parseRate(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "0.0", "-1", ".5", "5.", "1.2.3", "1e3", "NaN", "Infinity", "0x10", "1_000", "1d",
        "10000000000000000"})
    void badRates(String text) {
        assertThatThrownBy(() -> RouteBinder.parseRate(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requests_per_second");
    }

    @Test
    void rateLimitKeys() {
        assertThat(RouteBinder.parseRateLimitKey("client_ip")).isEqualTo(HashKeyConfig.CLIENT_IP);
        assertThat(RouteBinder.parseRateLimitKey("header:X-Api-Key"))
                .isEqualTo(new HashKeyConfig(HashKeyConfig.Source.HEADER, "X-Api-Key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ip", "header:", "header:X Api", "header:a:b", "cookie:session", "Client_IP"})
    void badRateLimitKeys(String text) {
        assertThatThrownBy(() -> RouteBinder.parseRateLimitKey(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate_limit key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api.internal", "API.Internal", "localhost", "svc_1.ns", "10.0.0.1", "a-b.c"})
    void hostNames(String text) {
        assertThat(HostNames.check("host", text)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", ".a", "a.", "a b", "a:80", "*.a", "[::1]", "b\u00fcro.test", "a/b"})
    void badHostNames(String text) {
        assertThatThrownBy(() -> HostNames.check("host", text)).hasMessageStartingWith("bad host '");
    }

    @Test
    void aServerNameIsNeverAnAddress() {
        assertThat(HostNames.checkServerName("sni", "api.internal")).isEqualTo("api.internal");
        assertThat(HostNames.checkServerName("sni", "1password.internal")).isEqualTo("1password.internal");
        assertThatThrownBy(() -> HostNames.checkServerName("sni", "10.0.0.1")).hasMessageContaining("is an IP address");
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/8, 10.0.0.0/8", "10.1.2.3/8, 10.0.0.0/8", "127.0.0.1, 127.0.0.1/32", "::1, 0:0:0:0:0:0:0:1/128",
        "fd00::/8, fd00:0:0:0:0:0:0:0/8", "0.0.0.0/0, 0.0.0.0/0"})
    void cidrs(String text, String expected) {
        assertThat(Cidr.parse(text)).hasToString(expected);
    }

    /** Each of these once reached InetAddress.getByName as a host name, that is, a DNS lookup. */
    @ParameterizedTest
    @ValueSource(strings = {".:", "..:1", "10.0.0.256", "300.1.1.1/8", "1.2.3.4.5", "example.com", "a::g"})
    void badCidrsAreRejectedWithoutALookup(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad address range");
    }
}
