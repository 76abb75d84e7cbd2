package dev.bascule.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Binds an upstream's {@code health_check:} (active probes) and {@code passive:} (ejection on real traffic) for
 * {@link UpstreamBinder}; same error contract.
 */
final class HealthBinder {
    static final List<String> HEALTH_CHECK_KEYS = List.of("path", "interval", "timeout", "expect_status",
            "healthy_threshold", "unhealthy_threshold", "host", "type", "service");
    static final List<String> PASSIVE_KEYS = List.of("consecutive_failures", "base_ejection", "max_ejected_percent");

    /** The check types each type-specific key of {@code health_check:} applies to. */
    private static final Set<HealthCheckConfig.Type> TYPES_WITH_PATH = EnumSet.of(HealthCheckConfig.Type.HTTP);
    /** A gRPC probe is an HTTP/2 request too, so it has an authority to send. */
    private static final Set<HealthCheckConfig.Type> TYPES_WITH_HOST =
            EnumSet.of(HealthCheckConfig.Type.HTTP, HealthCheckConfig.Type.GRPC);
    private static final Set<HealthCheckConfig.Type> TYPES_WITH_SERVICE = EnumSet.of(HealthCheckConfig.Type.GRPC);

    private final Problems problems;

    HealthBinder(Problems problems) {
        this.problems = problems;
    }

    /**
     * @param protocol how the upstream speaks to its servers; null when that is unknown (a bad value, already
     *     reported), which skips the checks that depend on it
     * @return null when absent (no active checks) or not a mapping (after reporting)
     */
    HealthCheckConfig healthCheck(YamlNode node, String label, HttpProtocol protocol) {
        if (node == null) {
            return null;
        }
        String checkLabel = "'health_check' of " + label;
        Fields f = Fields.open(node, checkLabel, problems, HEALTH_CHECK_KEYS);
        if (f == null) {
            return null;
        }
        HealthCheckConfig d = HealthCheckConfig.DEFAULTS;
        // null: a bad type, already reported; which keys it takes is then unknown, so they are not checked.
        HealthCheckConfig.Type type = f.node("type") == null ? d.type()
                : f.parsed("type", HealthBinder::parseType, null);
        if (type == HealthCheckConfig.Type.GRPC && protocol == HttpProtocol.HTTP1) {
            problems.add(f.valueMark("type"), "type: grpc needs an upstream that speaks HTTP/2 (gRPC runs over"
                    + " it): " + label + " has protocol http1; set protocol: h2c, or h2 with tls");
        }
        if (type != null) {
            onlyFor(f, "path", TYPES_WITH_PATH, type, checkLabel);
            onlyFor(f, "expect_status", TYPES_WITH_PATH, type, checkLabel);
            onlyFor(f, "host", TYPES_WITH_HOST, type, checkLabel);
            onlyFor(f, "service", TYPES_WITH_SERVICE, type, checkLabel);
        }
        String service = f.text("service");
        if (type == HealthCheckConfig.Type.GRPC && service == null) {
            service = ""; // grpc.health.v1: the empty name asks about the server as a whole
        }
        StatusRange expect = f.parsed("expect_status", HealthBinder::parseStatusRange,
                new StatusRange(d.expectStatusMin(), d.expectStatusMax()));
        return new HealthCheckConfig(
                f.parsed("path", HealthBinder::checkHealthPath, d.path()),
                f.duration("interval", d.interval()),
                f.duration("timeout", d.timeout()),
                expect.min(),
                expect.max(),
                f.integer("healthy_threshold", 1, Integer.MAX_VALUE, d.healthyThreshold()),
                f.integer("unhealthy_threshold", 1, Integer.MAX_VALUE, d.unhealthyThreshold()),
                // "" says "no override" as plainly as leaving the key out.
                f.parsed("host", text -> text.isEmpty() ? null : HostNames.check("health check host", text), d.host()),
                type,
                service);
    }

    /** Reports {@code key} written for a check type that does not use it, where it would silently do nothing. */
    private void onlyFor(Fields f, String key, Set<HealthCheckConfig.Type> types, HealthCheckConfig.Type type,
            String checkLabel) {
        if (f.node(key) != null && !types.contains(type)) {
            StringBuilder names = new StringBuilder();
            for (HealthCheckConfig.Type t : types) {
                names.append(names.length() == 0 ? "" : " or ").append(typeName(t));
            }
            problems.add(f.keyMark(key), key + " is only for type: " + names + " (" + checkLabel + " has type: "
                    + typeName(type) + ")");
        }
    }

    static HealthCheckConfig.Type parseType(String text) {
        return switch (text) {
            case "http" -> HealthCheckConfig.Type.HTTP;
            case "grpc" -> HealthCheckConfig.Type.GRPC;
            case "tcp" -> HealthCheckConfig.Type.TCP;
            default -> throw new IllegalArgumentException("bad health check type '" + text
                    + "', expected http, grpc or tcp");
        };
    }

    private static String typeName(HealthCheckConfig.Type type) {
        return switch (type) {
            case HTTP -> "http";
            case GRPC -> "grpc";
            case TCP -> "tcp";
        };
    }

    /** @return the defaults when absent; {@code consecutive_failures: 0} is how to turn it off */
    PassiveConfig passive(YamlNode node, String label) {
        PassiveConfig d = PassiveConfig.DEFAULTS;
        Fields f = node == null ? null : Fields.open(node, "'passive' of " + label, problems, PASSIVE_KEYS);
        if (f == null) {
            return d;
        }
        return new PassiveConfig(
                f.integer("consecutive_failures", 0, Integer.MAX_VALUE, d.consecutiveFailures()),
                f.duration("base_ejection", d.baseEjection()),
                f.integer("max_ejected_percent", 0, 100, d.maxEjectedPercent()));
    }

    /** Inclusive bounds of the statuses that count as a pass. */
    record StatusRange(int min, int max) {}

    /** {@code 200} or {@code 200-399}: HTTP statuses (100 to 599), the lower first. */
    static StatusRange parseStatusRange(String text) {
        int dash = text.indexOf('-');
        int min = status(dash < 0 ? text : text.substring(0, dash));
        int max = dash < 0 ? min : status(text.substring(dash + 1));
        if (min < 0 || max < 0) {
            throw new IllegalArgumentException("bad expect_status '" + text
                    + "', expected a status such as 200 or a range such as 200-399, statuses from 100 to 599");
        }
        if (min > max) {
            throw new IllegalArgumentException("expect_status '" + text + "' is backwards: write the lower status first");
        }
        return new StatusRange(min, max);
    }

    /** A status from 100 to 599 in three plain digits, or -1. */
    private static int status(String text) {
        boolean digits = text.length() == 3 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        int status = digits ? Integer.parseInt(text) : -1;
        return status >= 100 && status <= 599 ? status : -1;
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
}
