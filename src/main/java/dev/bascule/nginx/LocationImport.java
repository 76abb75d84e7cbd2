package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates what one location (or a server's own {@code return}) does into the parts of a route: {@code
 * proxy_pass} with nginx's prefix replacement, {@code return} with a redirect, and the headers and body limit
 * in force there. Host-specific parts (a redirect to {@code $host}) are filled in per host by {@link #route}.
 *
 * <p>Not thread-safe: one import.
 */
final class LocationImport {
    private final Notes notes;
    private final Imported out;
    private final HeaderImport headers;

    LocationImport(Notes notes, Imported out, HeaderImport headers) {
        this.notes = notes;
        this.out = out;
        this.headers = headers;
    }

    /** What a location does, ready to become one route per host of its server. */
    static final class Plan {
        final Directive source;
        /** The location's prefix as nginx has it; {@code /} for a server's own return. */
        final String prefix;
        final List<String> comments = new ArrayList<>();
        String upstream;
        /** The proxy_pass authority, nginx's {@code $proxy_host}. */
        String proxyHost;
        boolean stripPrefix;
        /** For a redirect: the URL with $host, $server_name, $scheme still in it, and $request_uri removed. */
        String redirectUrl;
        int redirectStatus;
        boolean keepPath;
        HeaderImport.RequestEdits requestEdits;
        Map<String, String> responseAdd = Map.of();
        String maxBodySize;

        Plan(Directive source, String prefix) {
            this.source = source;
            this.prefix = prefix;
        }
    }

    /**
     * The plan of a location whose block is {@code body} (a {@code location}, or a server with its own {@code
     * return}); null when it neither forwards nor redirects (reported).
     *
     * @param prefix the nginx location prefix, {@code /} for a server
     */
    Plan plan(Directive source, String prefix, Level level) {
        if (source.name().equals("location")) {
            reportUntranslated(source);
        }
        Plan p = new Plan(source, prefix);
        if (!prefix.equals("/") && !prefix.endsWith("/")) {
            p.comments.add("nginx's location " + prefix + " also matches " + prefix + "x; Bascule's path_prefix "
                    + prefix + " matches " + prefix + " and " + prefix + "/... only");
        } else if (!prefix.equals("/") && source.last("proxy_pass") != null) {
            p.comments.add("nginx answers " + prefix.substring(0, prefix.length() - 1) + " with a 301 to " + prefix
                    + "; here it is forwarded");
        }
        Directive ret = source.block().stream().filter(d -> d.name().equals("return")).findFirst().orElse(null);
        Directive pass = source.last("proxy_pass");
        if (ret != null) {
            if (!redirect(ret, p)) {
                return null;
            }
            if (pass != null) {
                p.comments.add("proxy_pass (" + notes.at(pass) + ") is never reached: return answers first");
            }
        } else if (pass != null) {
            if (!proxyPass(pass, p)) {
                return null;
            }
        } else {
            notes.skip(source, "neither proxy_pass nor return: " + Reasons.FILES);
            return null;
        }
        p.responseAdd = headers.response(level.addHeaders());
        if (level.maxBodySize() != null) {
            String size = NginxValues.size(level.maxBodySize().arg(0) == null ? "" : level.maxBodySize().arg(0));
            if (size == null) {
                notes.skip(level.maxBodySize(), "bad size '" + level.maxBodySize().arg(0) + "'");
            } else if (!size.equals("0") && p.upstream != null) {
                p.maxBodySize = size;
            }
        } else if (p.upstream != null) {
            out.header.add("nginx refuses request bodies over 1m unless client_max_body_size says otherwise; Bascule"
                    + " takes any size unless a route sets max_body_size");
        }
        if (p.upstream != null) {
            p.requestEdits = headers.request(level.proxySetHeaders(), p.proxyHost);
        }
        return p;
    }

    /** Reports what a location holds that is not translated: nested locations and other directives. */
    private void reportUntranslated(Directive location) {
        for (Directive d : location.block()) {
            switch (d.name()) {
                case "proxy_pass", "return" -> { }
                case "proxy_http_version" -> {
                    if (!"1.1".equals(d.arg(0))) {
                        notes.skip(d, "Bascule speaks HTTP/1.1 to origins (or HTTP/2: the upstream's protocol)");
                    }
                }
                case "location" -> notes.skipTree(d, "nested locations are not translated: write each as a route");
                default -> {
                    if (!Level.isInherited(d.name()) || d.name().startsWith("ssl_") || d.name().equals("http2")) {
                        notes.skipTree(d, Reasons.of(d.name()));
                    }
                }
            }
        }
    }

    /** {@code proxy_pass URL}: the upstream, and the target as nginx would send it. */
    private boolean proxyPass(Directive d, Plan p) {
        String url = d.arg(0) == null ? "" : d.arg(0);
        NginxValues.ProxyPass pp = NginxValues.proxyPass(url);
        if (pp == null) {
            notes.skip(d, url.indexOf('$') >= 0 ? Reasons.VARIABLES
                    : url.contains("unix:") ? "UNIX sockets are not supported: Bascule connects over TCP"
                    : "'" + url + "' is not an http:// or https:// URL");
            return false;
        }
        Imported.Upstream u = upstream(pp, d);
        if (u == null) {
            return false;
        }
        p.upstream = u.name;
        p.proxyHost = pp.authority();
        String uri = pp.uri();
        String prefix = p.prefix;
        if (uri.isEmpty() || uri.equals(prefix)) {
            return true; // the request's URI goes as it is
        }
        if (uri.equals("/")) {
            if (prefix.equals("/")) {
                return true;
            }
            p.stripPrefix = true;
            if (!prefix.endsWith("/")) {
                p.comments.add("proxy_pass " + url + " replaces " + prefix + " with /: nginx sends " + prefix
                        + "/x as //x, Bascule's strip_prefix sends /x");
            }
            return true;
        }
        p.stripPrefix = !prefix.equals("/");
        notes.skip(d, "proxy_pass " + url + " replaces the location prefix " + prefix + " with " + uri
                + "; Bascule can strip a prefix (strip_prefix), not put another in its place: the route sends "
                + (p.stripPrefix ? "what follows " + prefix : "the request's own path"));
        p.comments.add("nginx puts " + uri + " in place of " + prefix + " in the path it sends; this route sends"
                + (p.stripPrefix ? " what follows " + prefix : " the request's own path"));
        return true;
    }

    /** The upstream a proxy_pass names: an upstream block, or a new one for a host:port written in place. */
    private Imported.Upstream upstream(NginxValues.ProxyPass pp, Directive d) {
        Imported.Upstream u = pp.hasPort() ? null : out.upstreams.get(NginxValues.upstreamName(pp.host()));
        if (u != null && !u.declared) {
            u = null; // an upstream made for a host:port, not a block of that name
        }
        if (u == null) {
            String name = NginxValues.upstreamName(pp.authority().replace(':', '-'));
            while (out.upstreams.containsKey(name) && out.upstreams.get(name).declared) {
                name = name + "-direct"; // an upstream block already has that name
            }
            u = out.upstreams.get(name);
            if (u == null) {
                String address = NginxValues.serverAddress(pp.address());
                if (address == null) {
                    notes.skip(d, "'" + pp.authority() + "' is not an address Bascule can read");
                    return null;
                }
                u = new Imported.Upstream(name);
                u.comments.add("proxy_pass " + (pp.https() ? "https://" : "http://") + pp.authority() + " ("
                        + notes.at(d) + ")");
                u.servers.add(new Imported.Server(address, 1, 0, null));
                out.upstreams.put(name, u);
            }
        }
        if (pp.https()) {
            if (Boolean.FALSE.equals(u.tls)) {
                notes.skip(d, "upstream " + u.name + " is reached with both http and https; Bascule's upstream uses"
                        + " one of them: plain HTTP kept");
                return u;
            }
            if (u.tls == null) {
                u.comments.add("https: nginx checks no origin certificate unless proxy_ssl_verify on; verify: false"
                        + " keeps that (write tls: { verify: true, ca: ... } to check them)");
            }
            u.tls = true;
        } else if (Boolean.TRUE.equals(u.tls)) {
            notes.skip(d, "upstream " + u.name + " is reached with both http and https; Bascule's upstream uses one"
                    + " of them: https kept");
        } else {
            u.tls = false;
        }
        return u;
    }

    /** {@code return CODE URL} or {@code return URL} with a redirect status; false when not a redirect. */
    private boolean redirect(Directive d, Plan p) {
        String code = d.arg(0) == null ? "" : d.arg(0);
        String url;
        int status;
        if (d.args().size() == 1 && (code.startsWith("http://") || code.startsWith("https://")
                || code.startsWith("$scheme"))) {
            url = code;
            status = 302;
        } else if (d.args().size() == 2 && List.of("301", "302", "303", "307", "308").contains(code)) {
            url = d.arg(1);
            status = Integer.parseInt(code);
        } else {
            notes.skip(d, "only redirects (301, 302, 303, 307, 308 with a URL) are translated: Bascule answers"
                    + " nothing else itself");
            return false;
        }
        boolean keepPath = url.endsWith("$request_uri");
        String base = keepPath ? url.substring(0, url.length() - "$request_uri".length()) : url;
        String rest = base.replace("$host", "").replace("$server_name", "").replace("$scheme", "")
                .replace("$http_host", "");
        if (rest.indexOf('$') >= 0) {
            notes.skip(d, Reasons.VARIABLES + " (only $scheme, $host, $server_name and a final $request_uri are"
                    + " translated)");
            return false;
        }
        if (keepPath && !p.prefix.equals("/")) {
            // $request_uri is the whole URI, prefix included; keep_path appends what follows the prefix.
            base = base + p.prefix;
        }
        p.redirectUrl = base;
        p.redirectStatus = status;
        p.keepPath = keepPath;
        if (keepPath && (base.indexOf('?') >= 0 || base.indexOf('#') >= 0)) {
            notes.skip(d, "a query before $request_uri: Bascule appends the request's path and query to a URL"
                    + " without one");
            return false;
        }
        return true;
    }

    /**
     * The route of {@code plan} for one host of its server ({@code null}: any host).
     *
     * @param serverNames the server's names, for {@code $server_name}
     * @param scheme {@code http} or {@code https} as the server's listeners have it; null when mixed
     * @return null when the redirect needs a host that is not known here (reported)
     */
    Imported.Route route(Plan plan, String host, String hostComment, List<String> serverNames, String scheme) {
        Imported.Route r = new Imported.Route();
        r.comments.add(hostComment + (plan.source.name().equals("location")
                ? ", location " + plan.prefix + " (" + notes.at(plan.source) + ")" : ""));
        r.comments.addAll(plan.comments);
        r.host = host;
        r.pathPrefix = plan.prefix.equals("/") ? null : plan.prefix;
        if (plan.upstream != null) {
            r.upstream = plan.upstream;
            r.stripPrefix = plan.stripPrefix;
            r.requestSet.putAll(plan.requestEdits.set());
            r.requestRemove.addAll(plan.requestEdits.remove());
            r.maxBodySize = plan.maxBodySize;
        } else {
            String url = plan.redirectUrl;
            String name = serverNames.isEmpty() ? null : serverNames.get(0);
            if (url.contains("$host") || url.contains("$http_host")) {
                if (host == null || host.startsWith("*.")) {
                    notes.skip(returnOf(plan), "the redirect names $host, known here only for an exact server_name");
                    return null;
                }
                url = url.replace("$http_host", host).replace("$host", host);
            }
            if (url.contains("$server_name")) {
                if (name == null || name.startsWith("*") || name.startsWith("~")) {
                    notes.skip(returnOf(plan), "the redirect names $server_name, and the server has no plain name");
                    return null;
                }
                url = url.replace("$server_name", name.startsWith(".") ? name.substring(1) : name);
            }
            if (url.contains("$scheme")) {
                if (scheme == null) {
                    notes.skip(returnOf(plan), "the redirect names $scheme, and the server listens with and"
                            + " without TLS");
                    return null;
                }
                url = url.replace("$scheme", scheme);
            }
            r.redirectTo = url;
            r.redirectStatus = plan.redirectStatus;
            r.keepPath = plan.keepPath;
        }
        r.responseAdd.putAll(plan.responseAdd);
        return r;
    }

    private static Directive returnOf(Plan plan) {
        return plan.source.block().stream().filter(d -> d.name().equals("return")).findFirst().orElse(plan.source);
    }

    /** A location's modifier and prefix; null (reported) for exact, regular-expression and named locations. */
    String prefixOf(Directive location) {
        List<String> a = location.args();
        if (a.size() == 2 && a.get(0).equals("^~")) {
            return checkedPrefix(location, a.get(1));
        }
        if (a.size() == 1 && a.get(0).startsWith("/")) {
            return checkedPrefix(location, a.get(0));
        }
        String what = a.isEmpty() ? "" : a.get(0);
        String reason = what.equals("=") ? "an exact-match location: Bascule's path_prefix would match more"
                : what.startsWith("~") ? "regular-expression locations are not translated: Bascule matches path"
                        + " prefixes"
                : what.startsWith("@") ? "named locations are not translated"
                : "'" + String.join(" ", a) + "' is not a location Bascule can read";
        notes.skipTree(location, reason);
        return null;
    }

    private String checkedPrefix(Directive location, String prefix) {
        boolean ok = prefix.startsWith("/") && prefix.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '?'
                && c != '#');
        if (!ok) {
            notes.skipTree(location, "'" + prefix + "' is not a path prefix Bascule can match (printable ASCII,"
                    + " no '?' or '#')");
            return null;
        }
        return prefix;
    }
}
