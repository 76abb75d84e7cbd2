package dev.bascule.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds a located YAML tree to a {@link BasculeConfig}: the top level, admin, timeouts and limits here;
 * listeners, upstreams and routes in {@link ListenerBinder}, {@link UpstreamBinder} and {@link RouteBinder}.
 * Every problem goes to {@link Problems}, and binding continues so one run reports all of them. One instance
 * binds one tree on one thread.
 */
final class ConfigBinder {
    static final List<String> TOP_KEYS = List.of("listeners", "admin", "timeouts", "limits", "upstreams", "routes",
            "shutdown_grace", "trusted_proxies", "via", "request_id", "tracing", "access_log", "state_file", "redis",
            "cluster");
    static final List<String> ADMIN_KEYS = List.of("address", "token_file", "tls", "allowed_hosts");
    static final List<String> TIMEOUT_KEYS = List.of("connect", "response_header", "client_idle", "upstream_idle",
            "client_header", "client_body_idle", "tunnel_idle", "stream_idle");
    static final List<String> LIMIT_KEYS = List.of("max_uri_length", "max_header_size", "max_header_count",
            "max_connections", "max_connections_per_ip", "headers_with_underscores", "h2_max_concurrent_streams");
    static final List<String> ACCESS_LOG_KEYS = List.of("to", "format");
    static final String ACCESS_LOG_TO_FORM = "stdout, stderr, off or a file path (./stdout for a file of that name)";
    static final String VIA_FORM = "off or a name of letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 7.6.3: a"
            + " pseudonym is a token)";

    private final Problems problems;
    private final Set<String> balancerNames;
    private final TlsBinder tls;
    /** Where runtime changes are kept when {@code state_file} is not written; null for nowhere. */
    private final Path defaultStateFile;
    /** Binding a fleet's shared config, whose listeners, upstreams and routes each instance's file may give. */
    private final boolean shared;

    /**
     * @param baseDir the config file's folder, absolute: relative file paths in the config start there
     * @param defaultStateFile the {@code state_file} of a config that does not write one; null for none
     */
    ConfigBinder(Problems problems, Set<String> balancerNames, Path baseDir, Path defaultStateFile) {
        this(problems, balancerNames, baseDir, defaultStateFile, false);
    }

    /** @param shared binding a fleet's shared config: listeners, upstreams and routes may each be left out */
    ConfigBinder(Problems problems, Set<String> balancerNames, Path baseDir, Path defaultStateFile, boolean shared) {
        this.shared = shared;
        this.problems = problems;
        this.balancerNames = balancerNames;
        this.tls = new TlsBinder(problems, baseDir);
        this.defaultStateFile = defaultStateFile;
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
        ClusterConfig cluster = new ClusterBinder(problems, tls).bind(top.node("cluster"));
        // In a fleet, a file may hold only what bootstraps an instance: the rest comes from etcd.
        boolean bootstrap = shared || top.node("cluster") != null;
        List<ListenerConfig> listeners = bootstrap && top.node("listeners") == null ? List.of()
                : new ListenerBinder(problems, tls).bind(top.sequence(top.required("listeners"), "listeners"));
        AdminConfig admin = admin(top.node("admin"), listeners);
        TimeoutsConfig timeouts = timeouts(top.node("timeouts"));
        LimitsConfig limits = limits(top.node("limits"));
        RedisConfig redis = new RedisBinder(problems).bind(top.node("redis"));
        YamlNode upstreamsNode = bootstrap && top.node("upstreams") == null ? null : top.required("upstreams");
        Map<String, UpstreamConfig> upstreams = upstreamsNode == null ? Map.of()
                : new UpstreamBinder(problems, balancerNames, tls).bind(upstreamsNode);
        List<RouteConfig> routes = bootstrap && top.node("routes") == null ? List.of()
                : new RouteBinder(problems, top.node("redis") != null).bind(
                        top.sequence(top.required("routes"), "routes"),
                        upstreamsNode == null ? Set.of() : declaredNames(upstreamsNode));
        Duration shutdownGrace = top.duration("shutdown_grace", BasculeConfig.DEFAULT_SHUTDOWN_GRACE);
        List<Cidr> trustedProxies = top.list("trusted_proxies", Cidr::parse, List.of());
        String via = via(top);
        boolean requestId = top.bool("request_id", true);
        TracingConfig tracing = new TracingBinder(problems).bind(top.node("tracing"));
        AccessLogConfig accessLog = accessLog(top.node("access_log"));
        Path stateFile = stateFile(top);
        if (!problems.isEmpty()) {
            return null;
        }
        return new BasculeConfig(source, listeners, admin, timeouts, limits, upstreams, routes, shutdownGrace,
                trustedProxies, via, requestId, tracing, accessLog, stateFile, redis, cluster);
    }

    /**
     * {@code state_file}: a path (relative to the config's folder), or {@code off}; absent, the default. A boolean
     * is refused rather than taken for a file named "false".
     */
    private Path stateFile(Fields top) {
        YamlNode node = top.node("state_file");
        if (node == null) {
            return defaultStateFile;
        }
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            problems.add(s.mark(), "bad state_file '" + s.text() + "', expected a file path or off");
            return null;
        }
        if ("off".equals(top.text("state_file"))) {
            return null;
        }
        return top.parsed("state_file", tls::path, null);
    }

    /** The {@code via} name, null for {@code off}; a boolean is refused rather than read as the name "false". */
    private String via(Fields top) {
        YamlNode node = top.node("via");
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            problems.add(s.mark(), "bad via '" + s.text() + "', expected " + VIA_FORM);
            return BasculeConfig.DEFAULT_VIA;
        }
        String text = top.text("via");
        if (text == null) {
            return BasculeConfig.DEFAULT_VIA;
        }
        if (text.equals("off")) {
            return null;
        }
        if (!isToken(text)) {
            problems.add(top.valueMark("via"), "bad via '" + text + "', expected " + VIA_FORM);
        }
        return text;
    }

    /**
     * The {@code access_log} section; absent means the default, JSON lines on standard output. A boolean {@code to}
     * is refused rather than taken for a file named "false".
     */
    private AccessLogConfig accessLog(YamlNode node) {
        Fields f = node == null ? null : Fields.open(node, "'access_log'", problems, ACCESS_LOG_KEYS);
        if (f == null) {
            return AccessLogConfig.DEFAULT;
        }
        AccessLogConfig.Format format = f.parsed("format", ConfigBinder::parseAccessLogFormat,
                AccessLogConfig.DEFAULT.format());
        YamlNode.Mark at = f.valueMark("to");
        if (f.node("to") instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            problems.add(at, "bad access_log to '" + s.text() + "', expected " + ACCESS_LOG_TO_FORM);
            return AccessLogConfig.DEFAULT;
        }
        String to = f.text("to");
        AccessLogConfig.To kind = to == null ? AccessLogConfig.DEFAULT.to() : switch (to) {
            case "stdout" -> AccessLogConfig.To.STDOUT;
            case "stderr" -> AccessLogConfig.To.STDERR;
            case "off" -> AccessLogConfig.To.OFF;
            default -> AccessLogConfig.To.FILE;
        };
        Path file = null;
        if (kind == AccessLogConfig.To.FILE) {
            if (to.isEmpty()) {
                problems.add(at, "empty access_log to, expected " + ACCESS_LOG_TO_FORM);
                return AccessLogConfig.DEFAULT;
            }
            file = f.parsed("to", tls::path, null);
            if (file == null) {
                return AccessLogConfig.DEFAULT; // reported
            }
        }
        return new AccessLogConfig(kind, file, format, at.line(), at.column());
    }

    static AccessLogConfig.Format parseAccessLogFormat(String text) {
        return switch (text) {
            case "json" -> AccessLogConfig.Format.JSON;
            case "combined" -> AccessLogConfig.Format.COMBINED;
            default -> throw new IllegalArgumentException("bad access_log format '" + text + "', expected json or combined");
        };
    }

    /** RFC 9110 5.6.2: token = 1*tchar. */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
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

    private AdminConfig admin(YamlNode node, List<ListenerConfig> listeners) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'admin'", problems, ADMIN_KEYS);
        if (f == null) {
            return null;
        }
        HostPort address = f.parsedRequired("address", HostPort::parse);
        String tokenText = f.text("token_file"); // "" is the default written out: no token
        Path tokenPath = tokenText == null || tokenText.isEmpty() ? null : f.parsed("token_file", tls::path, null);
        YamlNode.Mark tokenAt = f.keyMark("token_file");
        TokenFile tokenFile = tokenPath == null ? null : new TokenFile(tokenPath, tokenAt.line(), tokenAt.column());
        CertificateConfig certificate = tls.admin(f.node("tls"));
        List<String> allowedHosts = f.list("allowed_hosts", ConfigBinder::allowedHost, List.of());
        if (address == null) {
            return null;
        }
        for (ListenerConfig l : listeners) {
            if (l.address().equals(address)) {
                problems.add(f.valueMark("address"), "admin address " + address + " is also listener '" + l.name() + "'");
            }
        }
        boolean tokenWritten = f.node("token_file") != null && !"".equals(tokenText); // bad values reported above
        if (!tokenWritten && !isLoopback(address)) {
            problems.add(f.valueMark("address"), "admin address " + address + " is not loopback, so it needs"
                    + " token_file: anyone who can reach it could drive Bascule (only localhost, 127.0.0.0/8 and"
                    + " [::1] count as loopback here)");
        }
        return new AdminConfig(address, tokenFile, certificate, allowedHosts);
    }

    /**
     * Whether an admin address is loopback as written: {@code localhost}, an address in 127.0.0.0/8 or {@code ::1}.
     * No other name counts, since binding must not look names up, and one that resolves to loopback today may not
     * tomorrow.
     */
    static boolean isLoopback(HostPort address) {
        String host = address.host();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByAddress(Cidr.parse(host).network()).isLoopbackAddress(); // literals only
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    /**
     * An {@code allowed_hosts} entry as {@code Host} carries it, lower case (RFC 9110 §4.2.3: the host is
     * case-insensitive): a DNS name, an IPv4 address, or an IPv6 address in brackets. No port: any port is
     * accepted.
     */
    static String allowedHost(String text) {
        String host = text.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]") && host.indexOf(':') > 0 && host.indexOf('/') < 0) {
            try {
                Cidr.parse(host.substring(1, host.length() - 1));
                return host;
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        try {
            return HostNames.check("allowed_hosts entry", host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad allowed_hosts entry '" + text + "': expected a host name such as"
                    + " ops.example.com, an IPv4 address or an IPv6 one in brackets, without a port");
        }
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
                f.duration("upstream_idle", d.upstreamIdle()),
                f.duration("client_header", d.clientHeader()),
                f.duration("client_body_idle", d.clientBodyIdle()),
                f.duration("tunnel_idle", d.tunnelIdle()),
                f.duration("stream_idle", d.streamIdle()));
    }

    private LimitsConfig limits(YamlNode node) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        Fields f = node == null ? null : Fields.open(node, "'limits'", problems, LIMIT_KEYS);
        if (f == null) {
            return d;
        }
        return new LimitsConfig(
                f.size("max_uri_length", d.maxUriLength()),
                f.size("max_header_size", d.maxHeaderSize()),
                f.integer("max_header_count", 1, Integer.MAX_VALUE, d.maxHeaderCount()),
                f.integer("max_connections", 1, Integer.MAX_VALUE, d.maxConnections()),
                f.integer("max_connections_per_ip", 0, Integer.MAX_VALUE, d.maxConnectionsPerIp()), // 0: no limit
                f.parsed("headers_with_underscores", ConfigBinder::parseHeadersWithUnderscores,
                        d.headersWithUnderscores()),
                f.integer("h2_max_concurrent_streams", 1, LimitsConfig.MAX_H2_CONCURRENT_STREAMS,
                        d.h2MaxConcurrentStreams()));
    }

    static LimitsConfig.HeadersWithUnderscores parseHeadersWithUnderscores(String text) {
        return switch (text) {
            case "allow" -> LimitsConfig.HeadersWithUnderscores.ALLOW;
            case "drop" -> LimitsConfig.HeadersWithUnderscores.DROP;
            case "reject" -> LimitsConfig.HeadersWithUnderscores.REJECT;
            default -> throw new IllegalArgumentException(
                    "bad headers_with_underscores '" + text + "', expected allow, drop or reject");
        };
    }
}
