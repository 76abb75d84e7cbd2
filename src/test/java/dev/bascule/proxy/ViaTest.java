package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.ProxySettings;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Building this hop's Via element (RFC 9110 7.6.3) and adding it after the elements already present. */
class ViaTest {
    private final Via via = new Via("bascule");

    @Test
    void theElementIsTheVersionReceivedAndThePseudonym() {
        assertThat(via.element(1, 1)).isEqualTo("1.1 bascule");
        assertThat(via.element(1, 0)).isEqualTo("1.0 bascule");
        assertThat(via.element(2, 0)).isEqualTo("2 bascule");
        assertThat(via.element(1, 2)).isEqualTo("1.2 bascule");
        assertThat(new Via("edge-7").element(1, 1)).isEqualTo("1.1 edge-7");
    }

    @Test
    void theCommonElementsAreBuiltOnce() {
        assertThat(via.element(1, 1)).isSameAs(via.element(1, 1));
        assertThat(via.element(1, 0)).isSameAs(via.element(1, 0));
    }

    @Test
    void everyExchangeSharesTheBuilderOfThePseudonymInForceSoNoConnectionKeepsItsOwn() {
        Via first = Via.of(named("edge-1"));
        assertThat(Via.of(named(new String("edge-1")))).isSameAs(first); // an equal name from a reloaded config
        Via renamed = Via.of(named("edge-2"));
        assertThat(renamed).isNotSameAs(first);
        assertThat(renamed.element(1, 1)).isEqualTo("1.1 edge-2");
        assertThat(Via.of(named(null))).as("via: off").isNull();
    }

    private static ProxySettings named(String pseudonym) {
        ProxySettings s = RequestProbe.SETTINGS;
        return new ProxySettings(s.origin(), s.responseHeaderTimeoutMillis(), s.clientIdleMillis(), s.maxUriLength(),
                s.maxHeaderSize(), s.clientHeaderTimeoutMillis(), s.clientBodyIdleMillis(), s.maxHeaderCount(),
                s.maxConnections(), s.maxConnectionsPerIp(), s.trustedProxies(), s.shutdownGraceMillis(), pseudonym,
                s.underscoreHeaders(), s.h2MaxConcurrentStreams(), s.tunnelIdleMillis(), s.streamIdleMillis(),
                s.requestIds(), s.tracing());
    }

    @Test
    void appendedAfterWhatWasReceived() {
        assertThat(Via.appended(null, "1.1 bascule")).isEqualTo("1.1 bascule");
        assertThat(Via.appended("", "1.1 bascule")).isEqualTo("1.1 bascule");
        assertThat(Via.appended(" , ", "1.1 bascule")).isEqualTo("1.1 bascule");
        assertThat(Via.appended("1.0 fred, 1.1 p.example.net", "1.1 bascule"))
                .isEqualTo("1.0 fred, 1.1 p.example.net, 1.1 bascule");
    }

    @Test
    void headerRulesJoinSeveralViaLinesIntoOneListEndingWithThisHop() {
        HttpHeaders h = new DefaultHttpHeaders();
        HeaderRules.appendVia(h, "1.1 bascule");
        assertThat(h.getAll("via")).containsExactly("1.1 bascule");

        h = new DefaultHttpHeaders().add("Via", "1.0 fred").add("Via", "1.1 cache (Squid)");
        HeaderRules.appendVia(h, "1.0 bascule");
        assertThat(h.getAll("via")).containsExactly("1.0 fred, 1.1 cache (Squid), 1.0 bascule");

        h = new DefaultHttpHeaders().add("Via", "1.0 fred");
        HeaderRules.appendVia(h, null); // via: off
        assertThat(h.getAll("via")).containsExactly("1.0 fred");
    }
}
