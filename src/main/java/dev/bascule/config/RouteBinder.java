package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Binds the {@code routes:} list for {@link ConfigBinder}, with {@link RetryBinder} for retries; same error
 * contract.
 */
final class RouteBinder {
    static final List<String> ROUTE_KEYS = List.of("name", "match", "strip_prefix", "upstream", "redirect", "retry",
            "allow", "deny", "rate_limit", "max_body_size", "websocket", "request_headers", "response_headers",
            "mirror", "split", "sticky");
    static final List<String> MATCH_KEYS = List.of("host", "path_prefix", "header", "cookie", "query", "method");
    /** Route keys about forwarding, which a redirect route (answered by Bascule) cannot have. */
    static final List<String> FORWARDING_KEYS = List.of("strip_prefix", "retry", "max_body_size", "websocket",
            "request_headers", "mirror");
    static final List<String> RATE_LIMIT_KEYS = List.of("requests_per_second", "burst", "key", "scope");

    private final Problems problems;
    private final RetryBinder retry;
    private final RouteRulesBinder rules;
    private final MirrorBinder mirror;
    private final SplitBinder splits;
    /** Whether the config has a {@code redis} section, which a rate limit with {@code scope: global} needs. */
    private final boolean redisConfigured;

    RouteBinder(Problems problems, boolean redisConfigured) {
        this.problems = problems;
        this.redisConfigured = redisConfigured;
        this.retry = new RetryBinder(problems);
        this.rules = new RouteRulesBinder(problems);
        this.mirror = new MirrorBinder(problems);
        this.splits = new SplitBinder(problems);
    }

    /**
     * @param seq the value of {@code routes:}, null when absent or not a list (already reported)
     * @param upstreamNames every upstream name written in the file, or null to skip the reference check
     */
    List<RouteConfig> bind(YamlNode.Sequence seq, Set<String> upstreamNames) {
        List<RouteConfig> routes = new ArrayList<>();
        if (seq == null) {
            return routes;
        }
        if (seq.items().isEmpty()) {
            problems.add(seq.mark(), "'routes' needs at least one route");
        }
        Map<String, YamlNode.Mark> names = new HashMap<>();
        for (YamlNode item : seq.items()) {
            RouteConfig route = route(item, upstreamNames, names);
            if (route != null) {
                routes.add(route);
            }
        }
        return routes;
    }

    private RouteConfig route(YamlNode item, Set<String> upstreamNames, Map<String, YamlNode.Mark> names) {
        Fields f = Fields.open(item, "a route", problems, ROUTE_KEYS);
        if (f == null) {
            return null;
        }
        String name = f.parsed("name", RouteBinder::parseName, null);
        if (name != null) {
            YamlNode.Mark first = names.putIfAbsent(name, f.valueMark("name"));
            if (first != null) {
                problems.add(f.valueMark("name"), "route name '" + name + "' is already used by the route at line "
                        + first.line());
            }
        }
        String host = null;
        String pathPrefix = null;
        boolean hasPathPrefix = false;
        YamlNode matchNode = f.node("match");
        Fields match = matchNode == null ? null : Fields.open(matchNode, "'match'", problems, MATCH_KEYS);
        if (match != null) {
            host = match.parsed("host", RouteBinder::normalizeHost, null);
            pathPrefix = match.parsed("path_prefix", RouteBinder::normalizePathPrefix, null);
            hasPathPrefix = match.node("path_prefix") != null;
        }
        RequestMatchConfig conditions = rules.conditions(match);
        boolean stripPrefix = f.bool("strip_prefix", false);
        if (stripPrefix && !hasPathPrefix) {
            problems.add(f.keyMark("strip_prefix"), "strip_prefix: true needs a path_prefix in 'match' (there is nothing to strip)");
        }
        RedirectConfig redirect = rules.redirect(f.node("redirect"));
        SplitConfig split = splits.bind(f, upstreamNames);
        boolean splitWritten = f.node("split") != null;
        String upstream = splitWritten ? null : upstreamOrRedirect(f, upstreamNames);
        RetryConfig retryConfig = retry.bind(f.node("retry"));
        List<Cidr> allow = f.list("allow", Cidr::parse, List.of());
        List<Cidr> deny = f.list("deny", Cidr::parse, List.of());
        RateLimitConfig rateLimit = rateLimit(f.node("rate_limit"));
        long maxBodySize = f.size("max_body_size", -1);
        boolean websocket = f.bool("websocket", true);
        HeaderEditsConfig requestHeaders = rules.edits(f.node("request_headers"), "request_headers");
        HeaderEditsConfig responseHeaders = rules.edits(f.node("response_headers"), "response_headers");
        // A split route mirrors whatever side serves the request, as Envoy's request_mirror_policies on a route to
        // weighted clusters: which requests are copied is the route's choice, made apart from the side's.
        MirrorConfig mirrorConfig = splitWritten
                ? mirror.bind(f.node("mirror"), split == null ? List.of() : split.weights().keySet(), true,
                        upstreamNames)
                : upstream == null ? null : mirror.bind(f.node("mirror"), List.of(upstream), false, upstreamNames);
        if (splitWritten) {
            if (split == null) {
                return null; // a bad split: reported
            }
            redirect = null; // both written: reported, and the route is read as a split
        } else if (upstream != null) {
            redirect = null; // both written: reported, and the route is read as forwarding
        } else if (redirect == null) {
            return null; // neither, or a bad one: reported
        }
        return new RouteConfig(host, pathPrefix, stripPrefix, upstream, retryConfig, allow, deny, rateLimit,
                maxBodySize, websocket, name, conditions, requestHeaders, responseHeaders, redirect, mirrorConfig,
                split);
    }

    /**
     * The route's upstream; null for a route with {@code redirect} instead, or when neither or both are written
     * (reported). A redirect route is answered by Bascule, so the keys about forwarding are refused on it.
     */
    private String upstreamOrRedirect(Fields f, Set<String> upstreamNames) {
        boolean hasRedirect = f.node("redirect") != null;
        if (!hasRedirect) {
            String upstream = f.requiredText("upstream");
            if (upstream != null && upstreamNames != null && !upstreamNames.contains(upstream)) {
                problems.add(f.valueMark("upstream"), "unknown upstream '" + upstream + "'");
            }
            return upstream;
        }
        if (f.node("upstream") != null) {
            problems.add(f.keyMark("redirect"), "a route has 'upstream' or 'redirect', not both: a redirect is"
                    + " answered by Bascule itself");
            return f.text("upstream");
        }
        for (String key : FORWARDING_KEYS) {
            if (f.node(key) != null) {
                problems.add(f.keyMark(key), "'" + key + "' does not apply to a redirect route: Bascule answers it"
                        + " without forwarding anything");
            }
        }
        return null;
    }

    /**
     * A route name: letters, digits, {@code . _ -}, at most 64, so it is safe in a URL path ({@code
     * /routes/NAME}), a metric label and a log line.
     */
    static String parseName(String text) {
        boolean ok = !text.isEmpty() && text.length() <= 64 && text.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                        || c == '_' || c == '-');
        if (!ok) {
            throw new IllegalArgumentException("bad route name '" + text
                    + "': use 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return text;
    }

    /** @return null when absent (no limit) or, after reporting, bad */
    private RateLimitConfig rateLimit(YamlNode node) {
        Fields f = node == null ? null : Fields.open(node, "'rate_limit'", problems, RATE_LIMIT_KEYS);
        if (f == null) {
            return null;
        }
        Double rps = f.parsedRequired("requests_per_second", RouteBinder::parseRate);
        int burst = f.integer("burst", 1, Integer.MAX_VALUE, 0); // 0: not written
        HashKeyConfig key = f.parsed("key", RouteBinder::parseRateLimitKey, HashKeyConfig.CLIENT_IP);
        RateLimitConfig.Scope scope = f.parsed("scope", RouteBinder::parseScope, RateLimitConfig.Scope.LOCAL);
        if (scope == RateLimitConfig.Scope.GLOBAL && !redisConfigured) {
            problems.add(f.valueMark("scope"), "scope: global needs a top-level 'redis' section (its address):"
                    + " the buckets shared by every instance live there");
        }
        if (rps == null) {
            return null;
        }
        if (burst == 0) {
            // A bucket of one second's tokens, so an even stream that arrives a little bunched still passes.
            burst = (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.ceil(rps)));
        }
        return new RateLimitConfig(rps, burst, key, scope);
    }

    static RateLimitConfig.Scope parseScope(String text) {
        return switch (text) {
            case "local" -> RateLimitConfig.Scope.LOCAL;
            case "global" -> RateLimitConfig.Scope.GLOBAL;
            default -> throw new IllegalArgumentException("bad rate_limit scope '" + text + "', expected local (each"
                    + " instance counts for itself) or global (counted together in Redis)");
        };
    }

    /** A positive rate in plain decimal ({@code 100}, {@code 0.5}); not 1e3, NaN or 0x10, which Java would take. */
    static double parseRate(String text) {
        int dot = text.indexOf('.');
        boolean plain = text.length() <= 15 && !text.isEmpty()
                && text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && dot != 0 && dot != text.length() - 1 && dot == text.lastIndexOf('.');
        double rate = plain ? Double.parseDouble(text) : 0;
        if (rate <= 0) {
            throw new IllegalArgumentException("requests_per_second must be a number greater than zero, such as 100"
                    + " or 0.5, found '" + text + "'");
        }
        return rate;
    }

    /** Whose bucket a request draws from: {@code client_ip} or {@code header:NAME}; a rate limit takes no cookie. */
    static HashKeyConfig parseRateLimitKey(String text) {
        HashKeyConfig key;
        try {
            key = HashKeyConfig.parse(text);
        } catch (IllegalArgumentException e) {
            key = null;
        }
        if (key != null && key.source() == HashKeyConfig.Source.COOKIE) {
            throw new IllegalArgumentException("a rate_limit key cannot be a cookie ('" + text
                    + "'); expected client_ip or header:NAME");
        }
        // RFC 9110 section 5.1: a field name is a token; any other name can never match a header.
        boolean ok = key != null && (key.source() == HashKeyConfig.Source.CLIENT_IP
                || key.name().chars().allMatch(RouteBinder::isTokenChar));
        if (!ok) {
            throw new IllegalArgumentException("bad rate_limit key '" + text + "', expected client_ip or header:NAME");
        }
        return key;
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /**
     * Lowercases an exact host ({@code blue.labs.test}) or leading wildcard ({@code *.labs.test}); a bracketed
     * IPv6 literal is kept as written. Hosts match without the port, so a port here is a mistake.
     */
    static String normalizeHost(String text) {
        String host = text.toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close > 0 && close < host.length() - 1 && host.charAt(close + 1) == ':') {
                throw portError(text);
            }
            boolean literal = close == host.length() - 1 && close > 1
                    && host.substring(1, close).chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
            if (!literal) {
                throw new IllegalArgumentException("bad host '" + text + "': expected an IPv6 literal such as [::1]");
            }
            return host;
        }
        if (host.indexOf(':') >= 0) {
            throw portError(text);
        }
        String name = host.startsWith("*.") ? host.substring(2) : host;
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException(
                    "bad host '" + text + "': a wildcard is allowed only as a leading '*.', as in *.labs.test");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || !label.chars().allMatch(
                    c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw new IllegalArgumentException(
                        "bad host '" + text + "': expected a host name such as blue.labs.test or *.labs.test");
            }
        }
        return host;
    }

    private static IllegalArgumentException portError(String text) {
        return new IllegalArgumentException("host '" + text + "' has a port: port is ignored when matching; write the host alone");
    }

    /** Checks a path prefix and drops trailing slashes ({@code /green/} matches like {@code /green}); keeps "/". */
    static String normalizePathPrefix(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("path_prefix '" + text + "' must start with '/'");
        }
        if (!text.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '?' && c != '#')) {
            throw new IllegalArgumentException(
                    "path_prefix '" + text + "' must be a plain path: printable ASCII without spaces, '?' or '#'");
        }
        int end = text.length();
        while (end > 1 && text.charAt(end - 1) == '/') {
            end--;
        }
        return text.substring(0, end);
    }
}
