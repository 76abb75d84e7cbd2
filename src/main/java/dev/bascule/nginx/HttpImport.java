package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translates the {@code http} block: upstream blocks, then server blocks into listeners and routes.
 *
 * <p>nginx picks a server by the request's address and Host (an exact {@code server_name}, then the longest
 * leading wildcard, else the address's default server), then a location by the longest prefix. Bascule's routes
 * are one list, first match wins, for every listener; so routes come out as: each server's exact names, then
 * wildcard names (longest first), then the default server for any host; within a server, locations longest
 * prefix first. A server on a plain port that only redirects to HTTPS becomes that listener's {@code
 * redirect_https}.
 *
 * <p>Not thread-safe: one import.
 */
final class HttpImport {
    private final Notes notes;
    private final Imported out;
    private final UpstreamImport upstreams;
    private final LocationImport locations;

    HttpImport(Notes notes, Imported out, LocationImport locations) {
        this.notes = notes;
        this.out = out;
        this.upstreams = new UpstreamImport(notes, out.header);
        this.locations = locations;
    }

    /** One {@code listen}: Bascule's address, and nginx's parameters that matter. */
    private record Listen(Directive source, String address, boolean ssl, boolean http2, boolean defaultServer) {}

    /** A server block as read. */
    private static final class Server {
        final Directive source;
        final Level level;
        final List<Listen> listens = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<String> exact = new ArrayList<>();
        final List<String> wildcards = new ArrayList<>();
        final List<LocationImport.Plan> plans = new ArrayList<>();
        /** The server's own return, which answers every request before any location. */
        LocationImport.Plan serverReturn;
        /** Answers every request with a redirect to https://$host$request_uri. */
        boolean httpsRedirect;

        Server(Directive source, Level level) {
            this.source = source;
            this.level = level;
        }

        String label() {
            return "server " + (names.isEmpty() ? "(no server_name)" : String.join(" ", names));
        }

        boolean hasRootLocation() {
            return serverReturn != null || plans.stream().anyMatch(p -> p.prefix.equals("/"));
        }
    }

    void translate(Directive http) {
        Level level = Level.TOP.inside(http);
        for (Directive d : http.block()) {
            if (d.name().equals("upstream") && d.isBlock()) {
                Imported.Upstream u = upstreams.translate(d);
                if (out.upstreams.putIfAbsent(u.name, u) != null) {
                    notes.skipTree(d, "upstream '" + u.name + "' is defined twice");
                }
            }
        }
        List<Server> servers = new ArrayList<>();
        for (Directive d : http.block()) {
            switch (d.name()) {
                case "upstream" -> { }
                case "server" -> {
                    if (d.isBlock()) {
                        servers.add(server(d, level.inside(d)));
                    } else {
                        notes.skip(d, "expected a server block");
                    }
                }
                case "proxy_http_version" -> {
                    if (!"1.1".equals(d.arg(0))) {
                        notes.skip(d, "Bascule speaks HTTP/1.1 to origins (or HTTP/2: the upstream's protocol)");
                    }
                }
                default -> {
                    if (!Level.isInherited(d.name())) {
                        notes.skipTree(d, Reasons.of(d.name()));
                    }
                }
            }
        }
        Map<String, List<Server>> byAddress = listeners(servers);
        routes(servers, byAddress);
    }

    private Server server(Directive block, Level level) {
        Server s = new Server(block, level);
        boolean sslOn = "on".equals(block.last("ssl") == null ? null : block.last("ssl").arg(0));
        boolean http2On = level.http2() != null && "on".equals(level.http2().arg(0));
        for (Directive d : block.block()) {
            switch (d.name()) {
                case "listen" -> listen(d, s, sslOn, http2On);
                case "server_name" -> names(d, s);
                case "location" -> { }
                case "return" -> { }
                case "ssl" -> { }
                case "proxy_pass" -> notes.skip(d, "proxy_pass belongs in a location");
                default -> {
                    if (!Level.isInherited(d.name())) {
                        notes.skipTree(d, Reasons.of(d.name()));
                    }
                }
            }
        }
        if (s.listens.isEmpty()) {
            s.listens.add(new Listen(block, "0.0.0.0:80", sslOn, http2On, false)); // nginx's default: *:80
        }
        Directive ret = block.children("return").stream().findFirst().orElse(null);
        if (ret != null) {
            s.serverReturn = locations.plan(block, "/", level);
            s.httpsRedirect = s.serverReturn != null && s.serverReturn.redirectUrl != null && isHttpsRedirect(ret);
            for (Directive loc : block.children("location")) {
                notes.skipTree(loc, "never reached: the server's return (line " + ret.line() + ") answers first");
            }
            return s;
        }
        List<LocationImport.Plan> plans = new ArrayList<>();
        for (Directive loc : block.children("location")) {
            if (!loc.isBlock()) {
                notes.skip(loc, "expected a location block");
                continue;
            }
            String prefix = locations.prefixOf(loc);
            if (prefix != null) {
                LocationImport.Plan p = locations.plan(loc, prefix, level.inside(loc));
                if (p != null) {
                    plans.add(p);
                }
            }
        }
        // nginx takes the longest matching prefix; first match wins here, so longer prefixes go first.
        plans.sort(Comparator.comparingInt((LocationImport.Plan p) -> p.prefix.length()).reversed());
        s.plans.addAll(plans);
        return s;
    }

    private static boolean isHttpsRedirect(Directive ret) {
        String url = ret.args().size() == 2 ? ret.arg(1) : ret.arg(0);
        return url != null && (url.equals("https://$host$request_uri") || url.equals("https://$http_host$request_uri")
                || url.equals("https://$server_name$request_uri"));
    }

    private void listen(Directive d, Server s, boolean sslOn, boolean http2On) {
        String address = d.arg(0) == null ? null : NginxValues.listenAddress(d.arg(0));
        if (address == null) {
            notes.skip(d, d.arg(0) != null && d.arg(0).startsWith("unix:")
                    ? "UNIX sockets are not supported: Bascule listens on TCP" : "'" + d.arg(0) + "' is not an address");
            return;
        }
        boolean ssl = sslOn;
        boolean http2 = http2On;
        boolean def = false;
        for (int i = 1; i < d.args().size(); i++) {
            String p = d.arg(i);
            switch (p) {
                case "ssl" -> ssl = true;
                case "http2" -> http2 = true;
                case "default_server", "default" -> def = true;
                default -> notes.skip(d, "parameter '" + p + "': " + Reasons.NONE);
            }
        }
        if (address.startsWith("[")) {
            String v4 = "0.0.0.0" + address.substring(address.lastIndexOf(':'));
            boolean both = s.source.children("listen").stream()
                    .anyMatch(o -> v4.equals(o.arg(0) == null ? null : NginxValues.listenAddress(o.arg(0))));
            if (both) {
                notes.skip(d, "IPv6 beside " + v4 + ": nginx binds it IPv6-only, Bascule would bind it for both"
                        + " families and clash with " + v4 + "; add a listener on " + address + " by hand if you"
                        + " need IPv6");
                return;
            }
        }
        s.listens.add(new Listen(d, address, ssl, http2, def));
    }

    private void names(Directive d, Server s) {
        for (String name : d.args()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.isEmpty() || n.equals("_")) {
                continue; // nginx's "no name": the server is reached as a default server only
            }
            if (n.startsWith("~") || n.indexOf('*') > 0 || n.startsWith("*") && !n.startsWith("*.")
                    || n.startsWith("$")) {
                notes.skip(d, "server name '" + name + "': Bascule matches exact names and leading wildcards"
                        + " (*.example.com) only");
                continue;
            }
            s.names.add(n);
            if (n.startsWith("*.")) {
                s.wildcards.add(n);
            } else if (n.startsWith(".")) {
                s.exact.add(n.substring(1)); // .example.com: example.com and *.example.com
                s.wildcards.add("*" + n);
            } else {
                s.exact.add(n);
            }
        }
    }

    /** Listeners by address, in the order first written, with TLS and HTTPS redirects; the servers of each. */
    private Map<String, List<Server>> listeners(List<Server> servers) {
        Map<String, List<Server>> byAddress = new LinkedHashMap<>();
        Map<String, Imported.Listener> listeners = new LinkedHashMap<>();
        for (Server s : servers) {
            for (Listen l : s.listens) {
                List<Server> on = byAddress.computeIfAbsent(l.address(), a -> new ArrayList<>());
                if (!on.contains(s)) {
                    on.add(l.defaultServer() ? 0 : on.size(), s);
                }
                Imported.Listener out = listeners.computeIfAbsent(l.address(), Imported.Listener::new);
                if (out.comments.isEmpty()) {
                    out.comments.add("listen " + String.join(" ", l.source().args()) + " (" + notes.at(l.source())
                            + ")");
                }
                out.tls |= l.ssl();
                out.http2 |= l.http2();
            }
        }
        for (Map.Entry<String, Imported.Listener> e : listeners.entrySet()) {
            Imported.Listener l = e.getValue();
            List<Server> on = byAddress.get(e.getKey());
            if (l.tls) {
                for (Server s : on) {
                    Directive cert = s.level.certificate();
                    Directive key = s.level.certificateKey();
                    if (cert == null || key == null || cert.arg(0) == null || key.arg(0) == null) {
                        notes.skip(s.source, "listens with ssl on " + l.address + " but has no ssl_certificate and"
                                + " ssl_certificate_key");
                        continue;
                    }
                    String[] pair = {cert.arg(0), key.arg(0)};
                    if (l.certificates.stream().noneMatch(c -> c[0].equals(pair[0]) && c[1].equals(pair[1]))) {
                        l.certificates.add(pair);
                    }
                }
                if (l.certificates.stream().anyMatch(c -> !c[0].startsWith("/") || !c[1].startsWith("/"))) {
                    l.comments.add("relative certificate paths: nginx reads them from its prefix (such as"
                            + " /etc/nginx/), Bascule from this file's folder");
                }
                if (l.certificates.isEmpty()) {
                    l.tls = false;
                    l.comments.add("nginx listens with ssl here, but no certificate was found: plain HTTP");
                }
            } else if (on.stream().allMatch(s -> s.httpsRedirect)) {
                l.redirectHttps = true;
                l.comments.add("every server here redirects to https://$host$request_uri: nginx answers "
                        + on.get(0).serverReturn.redirectStatus + ", Bascule's redirect_https 308");
            }
            out.listeners.add(l);
        }
        return byAddress;
    }

    /** Routes in the order that makes first-match pick what nginx's server and location choice would. */
    private void routes(List<Server> servers, Map<String, List<Server>> byAddress) {
        if (byAddress.isEmpty()) {
            return;
        }
        Map<String, Imported.Listener> listenerOf = new LinkedHashMap<>();
        out.listeners.forEach(l -> listenerOf.put(l.address, l));
        // The default server of the first listener that serves routes answers any host the routes above miss.
        Server fallback = null;
        for (Map.Entry<String, List<Server>> e : byAddress.entrySet()) {
            if (!listenerOf.get(e.getKey()).redirectHttps) {
                fallback = e.getValue().get(0);
                break;
            }
        }
        if (fallback == null) {
            return; // every listener redirects to HTTPS
        }
        for (Map.Entry<String, List<Server>> e : byAddress.entrySet()) {
            if (e.getValue().get(0) != fallback && !listenerOf.get(e.getKey()).redirectHttps) {
                out.header.add("nginx answers a request for an unknown host on " + e.getKey() + " with "
                        + e.getValue().get(0).label() + "; Bascule's routes are the same on every listener, so the"
                        + " last routes (" + fallback.label() + ") answer it");
            }
        }
        if (byAddress.size() > 1) {
            out.header.add("nginx tells servers apart by listen address too; Bascule's routes apply to every"
                    + " listener alike (a redirect_https listener answers before any route)");
        }
        List<String[]> wildcards = new ArrayList<>(); // name, server index
        for (int i = 0; i < servers.size(); i++) {
            Server s = servers.get(i);
            if (redirectOnly(s, listenerOf)) {
                continue;
            }
            boolean needExact = s != fallback || shadowedByWildcard(s, servers);
            if (needExact) {
                for (String host : s.exact) {
                    emit(s, host, listenerOf);
                }
            }
            for (String w : s.wildcards) {
                wildcards.add(new String[] {w, Integer.toString(i)});
            }
        }
        // nginx takes the longest matching wildcard.
        wildcards.sort(Comparator.comparingInt((String[] w) -> w[0].length()).reversed());
        for (String[] w : wildcards) {
            emit(servers.get(Integer.parseInt(w[1])), w[0], listenerOf);
        }
        if (!redirectOnly(fallback, listenerOf)) {
            emit(fallback, null, listenerOf);
        }
        for (Server s : servers) {
            if (s != fallback && s.exact.isEmpty() && s.wildcards.isEmpty() && !redirectOnly(s, listenerOf)) {
                notes.skip(s.source, "a server with no name that is not the first listener's default server: its"
                        + " routes would never be reached, as Bascule's routes are the same on every listener");
            }
        }
    }

    /** Whether every listener of {@code s} redirects to HTTPS by itself, so the server needs no route. */
    private static boolean redirectOnly(Server s, Map<String, Imported.Listener> listenerOf) {
        return s.listens.stream().allMatch(l -> listenerOf.get(l.address()).redirectHttps);
    }

    /** Whether a wildcard of another server matches one of {@code s}'s exact names (nginx prefers the exact one). */
    private static boolean shadowedByWildcard(Server s, List<Server> servers) {
        for (Server o : servers) {
            if (o == s) {
                continue;
            }
            for (String w : o.wildcards) {
                String suffix = w.substring(1);
                if (s.exact.stream().anyMatch(n -> n.endsWith(suffix) && n.length() > suffix.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The routes of {@code s} for {@code host} (null: any host), its return or its locations. */
    private void emit(Server s, String host, Map<String, Imported.Listener> listenerOf) {
        String scheme = scheme(s, listenerOf);
        String label = s.label() + " (" + notes.at(s.source) + ")" + (host == null ? ", the default server: any host" : "");
        List<LocationImport.Plan> plans = s.serverReturn != null ? List.of(s.serverReturn) : s.plans;
        Imported.Route last = null;
        for (LocationImport.Plan p : plans) {
            Imported.Route r = locations.route(p, host, label, s.names, scheme);
            if (r != null) {
                out.routes.add(r);
                last = r;
            }
        }
        if (last != null && host != null && !s.hasRootLocation()) {
            last.comments.add("nginx answers 404 for other paths of " + host + "; here they go on to the routes"
                    + " below");
        }
    }

    private static String scheme(Server s, Map<String, Imported.Listener> listenerOf) {
        boolean tls = false;
        boolean plain = false;
        for (Listen l : s.listens) {
            if (listenerOf.get(l.address()).tls) {
                tls = true;
            } else {
                plain = true;
            }
        }
        return tls && plain ? null : tls ? "https" : "http";
    }
}
