package dev.bascule.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds the {@code upstreams:} mapping (name to pool) for {@link ConfigBinder}, with {@link HealthBinder} for
 * health settings and {@link TlsBinder} for TLS; same error contract.
 */
final class UpstreamBinder {
    static final List<String> UPSTREAM_KEYS = List.of("balancer", "hash_key", "servers", "health_check", "passive",
            "when_all_down", "slow_start", "resolve_every", "tls", "ewma_decay", "protocol", "queue");
    static final List<String> SERVER_KEYS = List.of("address", "weight", "max_connections");
    static final List<String> QUEUE_KEYS = List.of("size", "timeout");

    static final int MAX_WEIGHT = 1000;

    private final Problems problems;
    private final Set<String> balancerNames;
    private final HealthBinder health;
    private final TlsBinder tls;

    UpstreamBinder(Problems problems, Set<String> balancerNames, TlsBinder tls) {
        this.problems = problems;
        this.balancerNames = balancerNames;
        this.health = new HealthBinder(problems);
        this.tls = tls;
    }

    /** @param node the value of {@code upstreams:}, null when absent (already reported) */
    Map<String, UpstreamConfig> bind(YamlNode node) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        if (node == null) {
            return upstreams;
        }
        if (!(node instanceof YamlNode.Mapping m)) {
            problems.add(node.mark(), "'upstreams' must be a mapping from upstream name to upstream, found " + node.describe());
            return upstreams;
        }
        if (m.entries().isEmpty()) {
            problems.add(m.mark(), "'upstreams' needs at least one upstream");
        }
        // Equal names are equal keys, which the reader already reported as duplicates.
        for (YamlNode.Entry e : m.entries()) {
            UpstreamConfig upstream = upstream(e);
            if (upstream != null) {
                upstreams.put(upstream.name(), upstream);
            }
        }
        return upstreams;
    }

    private UpstreamConfig upstream(YamlNode.Entry entry) {
        String name = entry.key();
        if (!isValidName(name)) {
            // Names appear in admin command paths and metric labels, so keep them to a safe alphabet.
            problems.add(entry.keyMark(), "bad upstream name '" + name + "': use letters, digits, '-', '_' and '.'");
        }
        String label = "upstream '" + name + "'";
        if (entry.value() instanceof YamlNode.Scalar s && s.isNull()) {
            problems.add(entry.keyMark(), label + " is empty; it needs 'servers'");
            return null;
        }
        Fields f = Fields.open(entry.value(), label, problems, UPSTREAM_KEYS);
        if (f == null) {
            return null;
        }
        String balancer = balancer(f, label);
        HashKeyConfig hashKey = f.parsed("hash_key", HashKeyConfig::parse, null);
        onlyWith(f, "hash_key", UpstreamConfig.HASH_BALANCER, balancer, label);
        if (UpstreamConfig.HASH_BALANCER.equals(balancer) && hashKey == null) {
            hashKey = HashKeyConfig.CLIENT_IP;
        }
        Duration ewmaDecay = f.duration("ewma_decay", UpstreamConfig.DEFAULT_EWMA_DECAY);
        onlyWith(f, "ewma_decay", UpstreamConfig.EWMA_BALANCER, balancer, label);
        List<ServerConfig> servers = servers(f, label);
        HttpProtocol protocol = protocol(f, label);
        if (f.node("queue") != null && !servers.isEmpty() && servers.stream().allMatch(s -> s.maxConnections() == 0)) {
            // Requests only wait for a server at its max_connections; without one the queue would do nothing.
            problems.add(f.keyMark("queue"), "queue needs a server with max_connections in " + label);
        }
        return new UpstreamConfig(name, balancer, hashKey, servers,
                health.healthCheck(f.node("health_check"), label, protocol),
                health.passive(f.node("passive"), label),
                f.parsed("when_all_down", UpstreamBinder::parseWhenAllDown, UpstreamConfig.WhenAllDown.FAIL_OPEN),
                f.durationOrZero("slow_start", Duration.ZERO),
                f.duration("resolve_every", UpstreamConfig.DEFAULT_RESOLVE_EVERY),
                tls.upstream(f.node("tls"), label),
                ewmaDecay,
                protocol, queue(f.node("queue"), label));
    }

    /**
     * The upstream's {@code protocol}: http1 when not written, null (after reporting) when bad. h2 is chosen by
     * ALPN in the TLS handshake (RFC 9113 section 3.2) and h2c is cleartext with prior knowledge (section 3.3), so
     * each is checked against {@code tls}.
     */
    private HttpProtocol protocol(Fields f, String label) {
        if (f.node("protocol") == null) {
            return HttpProtocol.HTTP1;
        }
        HttpProtocol protocol = f.parsed("protocol", HttpProtocol::parse, null);
        boolean tls = f.node("tls") != null;
        if (protocol == HttpProtocol.H2 && !tls) {
            problems.add(f.valueMark("protocol"), "protocol h2 is HTTP/2 over TLS, and " + label + " has no tls;"
                    + " add tls (tls: {} for the defaults), or use h2c for HTTP/2 without TLS");
        } else if (protocol == HttpProtocol.H2C && tls) {
            problems.add(f.valueMark("protocol"), "protocol h2c is HTTP/2 without TLS, and " + label + " has tls;"
                    + " use h2 for HTTP/2 over TLS");
        }
        return protocol;
    }

    /** @return null when absent (no queue) or not a mapping (after reporting) */
    private QueueConfig queue(YamlNode node, String label) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'queue' of " + label, problems, QUEUE_KEYS);
        if (f == null) {
            return null;
        }
        f.required("size"); // how much may wait depends on the origin: no default
        return new QueueConfig(f.integer("size", 0, Integer.MAX_VALUE, 0),
                f.duration("timeout", QueueConfig.DEFAULT_TIMEOUT));
    }

    /** Reports {@code key} written for a balancer other than the one it tunes, where it would silently do nothing. */
    private void onlyWith(Fields f, String key, String owner, String balancer, String label) {
        if (f.node(key) != null && balancer != null && !owner.equals(balancer)) {
            problems.add(f.keyMark(key), key + " is only allowed with balancer: " + owner + " (" + label + " uses "
                    + balancer + ")");
        }
    }

    /** The balancer name, the default when absent, or null (after reporting) when unknown. */
    private String balancer(Fields f, String label) {
        String balancer = f.text("balancer");
        if (balancer == null && f.node("balancer") != null) {
            return null; // not a scalar, already reported
        }
        if (balancer == null) {
            if (!balancerNames.contains(UpstreamConfig.DEFAULT_BALANCER)) {
                // Only when the registry lacks the default; report it rather than hand out a name nobody serves.
                problems.add(f.mark(), label + " names no balancer and the default '" + UpstreamConfig.DEFAULT_BALANCER
                        + "' is not available; known balancers: " + known());
                return null;
            }
            return UpstreamConfig.DEFAULT_BALANCER;
        }
        if (!balancerNames.contains(balancer)) {
            problems.add(f.valueMark("balancer"), "unknown balancer '" + balancer + "'; known balancers: " + known());
            return null;
        }
        return balancer;
    }

    private String known() {
        return String.join(", ", new TreeSet<>(balancerNames));
    }

    private List<ServerConfig> servers(Fields upstream, String label) {
        YamlNode.Sequence seq = upstream.sequence(upstream.required("servers"), "servers");
        if (seq == null) {
            return List.of();
        }
        if (seq.items().isEmpty()) {
            problems.add(seq.mark(), label + " needs at least one server");
        }
        List<ServerConfig> servers = new ArrayList<>();
        Map<HostPort, Integer> firstLines = new HashMap<>();
        for (YamlNode item : seq.items()) {
            Fields f = Fields.open(item, "a server of " + label, problems, SERVER_KEYS);
            if (f == null) {
                continue;
            }
            HostPort address = f.parsedRequired("address", UpstreamBinder::parseServerAddress);
            int weight = f.integer("weight", 1, MAX_WEIGHT, 1);
            int maxConnections = f.integer("max_connections", 1, ServerConfig.MAX_CONNECTIONS, 0);
            if (address == null) {
                continue;
            }
            Integer first = firstLines.putIfAbsent(address, f.valueMark("address").line());
            if (first != null) {
                problems.add(f.valueMark("address"), "duplicate server " + address + " in " + label + " (first at line " + first + ")");
                continue;
            }
            servers.add(new ServerConfig(address, weight, maxConnections));
        }
        return servers;
    }

    /** Like a listener's address, but port 0 ("any free port") means nothing for a server. */
    private static HostPort parseServerAddress(String text) {
        HostPort address = HostPort.parse(text);
        if (address.port() == 0) {
            throw new IllegalArgumentException("a server needs a real port, not 0, in address '" + text + "'");
        }
        return address;
    }

    static UpstreamConfig.WhenAllDown parseWhenAllDown(String text) {
        return switch (text) {
            case "fail_open" -> UpstreamConfig.WhenAllDown.FAIL_OPEN;
            case "reject" -> UpstreamConfig.WhenAllDown.REJECT;
            default -> throw new IllegalArgumentException("bad when_all_down '" + text + "', expected fail_open or reject");
        };
    }

    static boolean isValidName(String name) {
        return !name.isEmpty() && name.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    }
}
