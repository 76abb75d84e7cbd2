package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds a located YAML tree to a {@link BasculeConfig}: the top level, listeners, admin, timeouts and limits
 * here; upstreams and routes in {@link UpstreamBinder} and {@link RouteBinder}. Every problem goes to
 * {@link Problems}, and binding continues so one run reports all of them. One instance binds one tree on one
 * thread.
 */
final class ConfigBinder {
    static final List<String> TOP_KEYS = List.of("listeners", "admin", "timeouts", "limits", "upstreams", "routes");
    static final List<String> LISTENER_KEYS = List.of("name", "address");
    static final List<String> ADMIN_KEYS = List.of("address");
    static final List<String> TIMEOUT_KEYS = List.of("connect", "response_header", "client_idle", "upstream_idle");
    static final List<String> LIMIT_KEYS = List.of("max_uri_length", "max_header_size");

    private final Problems problems;
    private final Set<String> balancerNames;

    ConfigBinder(Problems problems, Set<String> balancerNames) {
        this.problems = problems;
        this.balancerNames = balancerNames;
    }

    /**
     * @param root the document's root, null for an empty document
     * @return the config, or null when any problem was reported (then {@code problems} says why)
     */
    BasculeConfig bind(YamlNode root, String source) {
        if (root == null) {
            problems.add(new YamlNode.Mark(1, 1), "empty config: expected a mapping with listeners, upstreams and routes");
            return null;
        }
        Fields top = Fields.open(root, "the config", problems, TOP_KEYS);
        if (top == null) {
            return null;
        }
        List<ListenerConfig> listeners = listeners(top);
        AdminConfig admin = admin(top.node("admin"), listeners);
        TimeoutsConfig timeouts = timeouts(top.node("timeouts"));
        LimitsConfig limits = limits(top.node("limits"));
        YamlNode upstreamsNode = top.required("upstreams");
        Map<String, UpstreamConfig> upstreams = new UpstreamBinder(problems, balancerNames).bind(upstreamsNode);
        List<RouteConfig> routes = new RouteBinder(problems).bind(
                top.sequence(top.required("routes"), "routes"), declaredNames(upstreamsNode));
        if (!problems.isEmpty()) {
            return null;
        }
        return new BasculeConfig(source, listeners, admin, timeouts, limits, upstreams, routes);
    }

    /** Every upstream name written, even those whose body has errors, so routes to them are not also flagged. */
    private static Set<String> declaredNames(YamlNode upstreams) {
        if (!(upstreams instanceof YamlNode.Mapping m)) {
            return null; // already reported; checking routes against nothing would only add noise
        }
        Set<String> names = new LinkedHashSet<>();
        m.entries().forEach(e -> names.add(e.key()));
        return names;
    }

    private List<ListenerConfig> listeners(Fields top) {
        YamlNode.Sequence seq = top.sequence(top.required("listeners"), "listeners");
        if (seq == null) {
            return List.of();
        }
        if (seq.items().isEmpty()) {
            problems.add(seq.mark(), "'listeners' needs at least one listener");
        }
        Map<HostPort, Integer> addressLines = new HashMap<>();
        Map<String, Integer> nameLines = new HashMap<>();
        List<ListenerConfig> listeners = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            Fields f = Fields.open(item, "a listener", problems, LISTENER_KEYS);
            if (f == null) {
                continue;
            }
            HostPort address = f.parsedRequired("address", HostPort::parse);
            String name = f.text("name");
            if (name != null && name.isBlank()) {
                problems.add(f.valueMark("name"), "listener name must not be empty");
                continue;
            }
            if (address == null) {
                continue;
            }
            YamlNode.Mark addressMark = f.valueMark("address");
            Integer firstAddress = addressLines.putIfAbsent(address, addressMark.line());
            if (firstAddress != null) {
                problems.add(addressMark, "duplicate listener address " + address + " (first at line " + firstAddress + ")");
                continue; // its default name would repeat too; one error is enough
            }
            YamlNode.Mark nameMark = name != null ? f.valueMark("name") : addressMark;
            String effectiveName = name != null ? name : address.toString();
            Integer firstName = nameLines.putIfAbsent(effectiveName, nameMark.line());
            if (firstName != null) {
                problems.add(nameMark, "duplicate listener name '" + effectiveName + "' (first at line " + firstName + ")"
                        + (name == null ? "; this listener has no name, so its address is its name" : ""));
                continue;
            }
            listeners.add(new ListenerConfig(effectiveName, address));
        }
        return listeners;
    }

    private AdminConfig admin(YamlNode node, List<ListenerConfig> listeners) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'admin'", problems, ADMIN_KEYS);
        if (f == null) {
            return null;
        }
        HostPort address = f.parsedRequired("address", HostPort::parse);
        if (address == null) {
            return null;
        }
        for (ListenerConfig l : listeners) {
            if (l.address().equals(address)) {
                problems.add(f.valueMark("address"), "admin address " + address + " is also listener '" + l.name() + "'");
            }
        }
        return new AdminConfig(address);
    }

    private TimeoutsConfig timeouts(YamlNode node) {
        TimeoutsConfig d = TimeoutsConfig.DEFAULTS;
        Fields f = node == null ? null : Fields.open(node, "'timeouts'", problems, TIMEOUT_KEYS);
        if (f == null) {
            return d;
        }
        return new TimeoutsConfig(
                f.duration("connect", d.connect()),
                f.duration("response_header", d.responseHeader()),
                f.duration("client_idle", d.clientIdle()),
                f.duration("upstream_idle", d.upstreamIdle()));
    }

    private LimitsConfig limits(YamlNode node) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        Fields f = node == null ? null : Fields.open(node, "'limits'", problems, LIMIT_KEYS);
        if (f == null) {
            return d;
        }
        return new LimitsConfig(f.size("max_uri_length", d.maxUriLength()), f.size("max_header_size", d.maxHeaderSize()));
    }
}
