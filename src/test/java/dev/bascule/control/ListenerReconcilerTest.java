package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.tls.TlsMaterial;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Listener reconciliation against recorded sockets: what opens before a swap, what closes after it. */
class ListenerReconcilerTest {
    private static final Mapping<String, SslContext> SOME_CERTIFICATES = name -> null;

    /** Records binds and unbinds; refuses the addresses in {@link #taken}. */
    private static final class Sockets implements ListenerSockets {
        final List<String> calls = new ArrayList<>();
        final Map<InetSocketAddress, ListenerSettings> open = new LinkedHashMap<>();
        final Set<Integer> taken = new HashSet<>();
        int nextPort = 40_000;

        @Override
        public InetSocketAddress bind(InetSocketAddress address, ListenerSettings untilPublished) throws Exception {
            if (taken.contains(address.getPort())) {
                throw new BindException("Address already in use");
            }
            calls.add("bind " + address.getPort() + (untilPublished.tls() ? " tls" : ""));
            open.put(address, untilPublished);
            return new InetSocketAddress(address.getAddress(), address.getPort() == 0 ? nextPort++ : address.getPort());
        }

        @Override
        public void unbind(InetSocketAddress address) {
            calls.add("unbind " + address.getPort());
            open.remove(address);
        }
    }

    private static BasculeConfig config(String listeners) throws Exception {
        return Fixtures.config("listeners:\n" + listeners + """
                upstreams: { app: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: app } ]
                """);
    }

    private static Map<InetSocketAddress, ListenerSettings> settings(BasculeConfig c, int... tlsPorts) throws Exception {
        Map<InetSocketAddress, ListenerSettings> plain = ListenerReconciler.settingsOf(c, TlsMaterial.NONE, new dev.bascule.stats.StatsRegistry());
        Map<InetSocketAddress, ListenerSettings> result = new LinkedHashMap<>();
        plain.forEach((address, s) -> {
            boolean tls = false;
            for (int p : tlsPorts) {
                tls |= address.getPort() == p;
            }
            result.put(address, tls ? new ListenerSettings(s.name(), SOME_CERTIFICATES, false, null, s.protocols(), s.stats()) : s);
        });
        return result;
    }

    @Test
    void opensEachListenerOnceAndReportsBoundAddressesInConfigOrder() throws Exception {
        Sockets sockets = new Sockets();
        ListenerReconciler r = new ListenerReconciler(sockets);
        BasculeConfig c = config("  - { name: a, address: 127.0.0.1:0 }\n  - { name: b, address: 127.0.0.1:18081 }\n");
        Map<InetSocketAddress, ListenerSettings> s = settings(c);
        r.open(c, s);
        r.closeDropped(s);
        assertThat(sockets.calls).containsExactly("bind 0", "bind 18081");
        assertThat(r.boundAddresses()).extracting(InetSocketAddress::getPort).containsExactly(40_000, 18081);
        assertThat(s.values()).extracting(ListenerSettings::name).containsExactly("a", "b");

        r.open(c, s);
        r.closeDropped(s);
        assertThat(sockets.calls).as("nothing to do the second time").hasSize(2);
    }

    @Test
    void aReloadOpensNewAndSwitchedListenersBeforeTheSwapAndClosesDroppedOnesAfter() throws Exception {
        Sockets sockets = new Sockets();
        ListenerReconciler r = new ListenerReconciler(sockets);
        BasculeConfig first = config("  - { name: a, address: 127.0.0.1:18081 }\n  - { name: b, address: 127.0.0.1:18082 }\n");
        r.open(first, settings(first));
        r.closeDropped(settings(first));
        sockets.calls.clear();

        BasculeConfig next = config("  - { name: a, address: 127.0.0.1:18081 }\n  - { name: c, address: 127.0.0.1:18083 }\n");
        Map<InetSocketAddress, ListenerSettings> nextSettings = settings(next, 18081);
        r.open(next, nextSettings);
        assertThat(sockets.calls).containsExactly("unbind 18081", "bind 18081 tls", "bind 18083");
        assertThat(sockets.open).hasSize(3).as("b still serves until the swap");
        r.closeDropped(nextSettings);
        assertThat(sockets.calls).endsWith("unbind 18082");
        assertThat(r.boundAddresses()).extracting(InetSocketAddress::getPort).containsExactly(18081, 18083);
    }

    @Test
    void aListenerThatCannotBeBoundRefusesTheReloadAndRestoresEverySocket() throws Exception {
        Sockets sockets = new Sockets();
        ListenerReconciler r = new ListenerReconciler(sockets);
        BasculeConfig first = config("  - { name: a, address: 127.0.0.1:18081 }\n");
        r.open(first, settings(first));
        r.closeDropped(settings(first));
        sockets.taken.add(18084);

        BasculeConfig next = config("""
                  - { name: a, address: 127.0.0.1:18081 }
                  - { name: c, address: 127.0.0.1:18083 }
                  - { name: d, address: 127.0.0.1:18084 }
                """);
        assertThatThrownBy(() -> r.open(next, settings(next, 18081)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("t.yaml:1:1: listener d: cannot listen on 127.0.0.1:18084: Address already in use");
        assertThat(sockets.open.keySet()).extracting(InetSocketAddress::getPort).containsExactly(18081);
        assertThat(sockets.open.values()).allMatch(s -> !s.tls()).as("switched back to plain");
        assertThat(r.boundAddresses()).extracting(InetSocketAddress::getPort).containsExactly(18081);
    }

    @Test
    void anUnknownListenerHostIsAConfigError() throws Exception {
        BasculeConfig c = config("  - { name: odd, address: \"no-such-host.invalid:8080\" }\n");
        assertThatThrownBy(() -> ListenerReconciler.settingsOf(c, TlsMaterial.NONE, new dev.bascule.stats.StatsRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener odd: cannot listen on no-such-host.invalid:8080: unknown host");
    }
}
