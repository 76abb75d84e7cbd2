package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Binds the {@code upstreams:} mapping (name to pool) for {@link ConfigBinder}; same error contract. */
final class UpstreamBinder {
    static final List<String> UPSTREAM_KEYS = List.of("balancer", "hash_key", "servers", "health_check");
    static final List<String> SERVER_KEYS = List.of("address", "weight");
    static final List<String> HEALTH_CHECK_KEYS = List.of("path", "interval", "timeout");

    static final int MAX_WEIGHT = 1000;

    private final Problems problems;
    private final Set<String> balancerNames;

    UpstreamBinder(Problems problems, Set<String> balancerNames) {
        this.problems = problems;
        this.balancerNames = balancerNames;
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
        if (f.node("hash_key") != null && balancer != null && !UpstreamConfig.HASH_BALANCER.equals(balancer)) {
            problems.add(f.keyMark("hash_key"), "hash_key is only allowed with balancer: " + UpstreamConfig.HASH_BALANCER
                    + " (" + label + " uses " + balancer + ")");
        }
        if (UpstreamConfig.HASH_BALANCER.equals(balancer) && hashKey == null) {
            hashKey = HashKeyConfig.CLIENT_IP;
        }
        List<ServerConfig> servers = servers(f, label);
        HealthCheckConfig healthCheck = healthCheck(f.node("health_check"), label);
        return new UpstreamConfig(name, balancer, hashKey, servers, healthCheck);
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
            int weight = f.parsed("weight", UpstreamBinder::parseWeight, 1);
            if (address == null) {
                continue;
            }
            Integer first = firstLines.putIfAbsent(address, f.valueMark("address").line());
            if (first != null) {
                problems.add(f.valueMark("address"), "duplicate server " + address + " in " + label + " (first at line " + first + ")");
                continue;
            }
            servers.add(new ServerConfig(address, weight));
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

    private HealthCheckConfig healthCheck(YamlNode node, String label) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'health_check' of " + label, problems, HEALTH_CHECK_KEYS);
        if (f == null) {
            return null;
        }
        HealthCheckConfig d = HealthCheckConfig.DEFAULTS;
        return new HealthCheckConfig(
                f.parsed("path", UpstreamBinder::checkHealthPath, d.path()),
                f.duration("interval", d.interval()),
                f.duration("timeout", d.timeout()));
    }

    static int parseWeight(String text) {
        // Plain decimal digits only: 2.5, 0x10 and 1e2 are typos here, not weights.
        boolean digits = !text.isEmpty() && text.length() <= 4 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        int weight = digits ? Integer.parseInt(text) : -1;
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be an integer from 1 to " + MAX_WEIGHT + ", found '" + text + "'");
        }
        return weight;
    }

    static String checkHealthPath(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("health check path '" + path + "' must start with '/'");
        }
        if (!path.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("health check path '" + path + "' must be printable ASCII without spaces");
        }
        return path;
    }

    static boolean isValidName(String name) {
        return !name.isEmpty() && name.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    }
}
