package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.UpstreamConfig;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the servers given by host name again every {@code resolve_every} of their upstream, so a pool follows
 * DNS. A failed or empty lookup keeps the addresses the name had: a DNS outage must not empty a pool.
 *
 * <p>Threading: control thread only; lookups block that thread, never an event loop.
 */
final class DnsRefresh {
    private static final Logger log = LoggerFactory.getLogger(DnsRefresh.class);

    private final ScheduledExecutorService thread;
    private final Resolver resolver;
    private final Membership membership;
    /** Called after a pool's members changed. */
    private final Runnable changed;
    private final Map<String, ScheduledFuture<?>> tasks = new LinkedHashMap<>();
    private BasculeConfig config;

    DnsRefresh(ScheduledExecutorService thread, Resolver resolver, Membership membership, Runnable changed) {
        this.thread = thread;
        this.resolver = resolver;
        this.membership = membership;
        this.changed = changed;
    }

    /** Follows the upstreams of {@code config} from now on, dropping the timers of the previous one. */
    void follow(BasculeConfig config) {
        this.config = config;
        tasks.values().forEach(f -> f.cancel(false));
        tasks.clear();
        for (UpstreamConfig u : config.upstreams().values()) {
            boolean byName = u.servers().stream().anyMatch(s -> !MemberResolution.isIpLiteral(s.address().host()));
            if (byName) {
                long every = Math.max(1, u.resolveEvery().toMillis());
                tasks.put(u.name(), thread.scheduleWithFixedDelay(() -> refresh(u.name()), every, every,
                        TimeUnit.MILLISECONDS));
            }
        }
    }

    /**
     * Resolves the servers of {@code upstream} now and updates its members if the addresses changed.
     *
     * @return whether they changed
     */
    boolean refresh(String upstream) {
        UpstreamConfig u = config.upstreams().get(upstream);
        List<Member> current = membership.of(upstream);
        if (u == null) {
            return false;
        }
        List<Member> next = new ArrayList<>();
        for (ServerConfig sc : u.servers()) {
            try {
                next.addAll(MemberResolution.membersOf(sc, resolver));
            } catch (UnknownHostException e) {
                log.warn("upstream {}: cannot resolve {}, keeping its previous addresses", upstream, sc.address());
                current.stream().filter(m -> sc.address().toString().equals(m.configured())).forEach(next::add);
            }
        }
        for (Member m : current) {
            if (m.source() == Member.Source.API || m.source() == Member.Source.ETCD) {
                next.add(m);
            }
        }
        if (addresses(current).equals(addresses(next))) {
            return false;
        }
        log.info("upstream {} follows DNS: {} -> {}", upstream, addresses(current), addresses(next));
        membership.follow(upstream, next);
        changed.run();
        return true;
    }

    private static List<String> addresses(List<Member> list) {
        return list.stream().map(Member::address).sorted().toList();
    }
}
