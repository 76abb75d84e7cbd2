package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.upstream.ServerRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pools follow DNS, driven by calling {@link DnsRefresh#refresh} directly (no timer waits). */
class DnsRefreshTest {
    private final AtomicReference<List<String>> records = new AtomicReference<>(List.of("10.0.0.1", "10.0.0.2"));
    private final Resolver resolver = host -> {
        List<String> now = records.get();
        if (now == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> ips = new ArrayList<>();
        for (String r : now) {
            ips.add(InetAddress.getByName(r));
        }
        return ips;
    };
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        thread.shutdownNow();
    }

    @Test
    void aPoolFollowsItsNameAndKeepsItsAddressesThroughAnOutage() throws Exception {
        BasculeConfig config = Fixtures.config("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app:
                    resolve_every: 1h
                    servers: [ { address: "origin.internal:8080" } ]
                routes: [ { upstream: app } ]
                """);
        Map<String, List<Member>> pools = new LinkedHashMap<>(MemberResolution.resolveMembers(config, resolver));
        Membership membership = new Membership(new ServerRegistry(), Resolver.SYSTEM, () -> 0, pools);
        membership.add("app", "10.0.0.50:80", 1, false); // an API member survives DNS changes
        AtomicInteger changes = new AtomicInteger();
        DnsRefresh dns = new DnsRefresh(thread, resolver, membership, changes::incrementAndGet);
        dns.follow(config);

        assertThat(dns.refresh("app")).as("same records").isFalse();
        records.set(List.of("10.0.0.2", "10.0.0.3"));
        assertThat(dns.refresh("app")).isTrue();
        assertThat(addresses(membership)).containsExactly("10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.50:80");
        assertThat(membership.find("app", "10.0.0.3:8080").configured()).isEqualTo("origin.internal:8080");
        assertThat(changes).hasValue(1);

        records.set(null); // the name stops resolving: keep what it had
        assertThat(dns.refresh("app")).isFalse();
        records.set(List.of());
        assertThat(dns.refresh("app")).as("an empty answer is an outage too").isFalse();
        assertThat(addresses(membership)).containsExactly("10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.50:80");
        assertThat(dns.refresh("gone")).isFalse();
        assertThat(changes).hasValue(1);
    }

    private static List<String> addresses(Membership m) {
        return m.of("app").stream().map(Member::address).toList();
    }
}
