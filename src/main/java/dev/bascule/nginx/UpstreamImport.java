package dev.bascule.nginx;

import java.util.Locale;

/**
 * Translates an {@code upstream} block: its servers with {@code weight=}, {@code max_fails=}, {@code
 * fail_timeout=}, {@code max_conns=}, {@code down} and {@code backup}, and its balancing method ({@code
 * least_conn}, {@code ip_hash}, {@code hash ... consistent}, {@code random two}).
 *
 * <p>Not thread-safe: one import.
 */
final class UpstreamImport {
    /** nginx's defaults for a server's passive check (ngx_http_upstream_server). */
    private static final int NGINX_MAX_FAILS = 1;
    private static final long NGINX_FAIL_TIMEOUT_MILLIS = 10_000;

    private final Notes notes;
    /** The YAML's top comments. */
    private final java.util.Set<String> header;

    UpstreamImport(Notes notes, java.util.Set<String> header) {
        this.notes = notes;
        this.header = header;
    }

    Imported.Upstream translate(Directive block) {
        String name = NginxValues.upstreamName(block.arg(0) == null ? "upstream" : block.arg(0));
        Imported.Upstream u = new Imported.Upstream(name);
        u.declared = true;
        u.comments.add("upstream " + block.arg(0) + " (" + notes.at(block) + ")"
                + (name.equals(block.arg(0)) ? "" : "; renamed: Bascule's names are letters, digits, - _ ."));
        Integer maxFails = null;
        Long failTimeout = null;
        boolean anyPassive = false;
        for (Directive d : block.block()) {
            switch (d.name()) {
                case "server" -> {
                    Passive p = server(d, u);
                    if (p == null) {
                        continue;
                    }
                    anyPassive |= p.maxFails != null || p.failTimeout != null;
                    int mf = p.maxFails != null ? p.maxFails : NGINX_MAX_FAILS;
                    long ft = p.failTimeout != null ? p.failTimeout : NGINX_FAIL_TIMEOUT_MILLIS;
                    if (maxFails == null) {
                        maxFails = mf;
                        failTimeout = ft;
                    } else if (mf != maxFails || ft != failTimeout) {
                        notes.skip(d, "max_fails=" + mf + " fail_timeout=" + NginxValues.duration(ft)
                                + " differs from the upstream's first server; Bascule's passive check is one"
                                + " setting per upstream: the first server's is used");
                    }
                }
                case "least_conn" -> u.balancer = "least_conn";
                case "ip_hash" -> {
                    u.balancer = "hash";
                    u.hashKey = "client_ip";
                    u.comments.add("ip_hash: nginx hashes the first three bytes of an IPv4 address, Bascule the"
                            + " whole address on a consistent-hash ring");
                }
                case "hash" -> hash(d, u);
                case "random" -> random(d, u);
                default -> notes.skipTree(d, Reasons.of(d.name()));
            }
        }
        if (anyPassive) {
            u.consecutiveFailures = maxFails;
            u.baseEjection = NginxValues.duration(failTimeout);
            if (maxFails > 0) {
                u.comments.add("max_fails=" + maxFails + " fail_timeout=" + NginxValues.duration(failTimeout)
                        + ": nginx counts failures within fail_timeout and rests the server that long; Bascule"
                        + " counts failures in a row, rests the server base_ejection times its ejections, and"
                        + " never more than max_ejected_percent (50) of the pool");
            }
        } else {
            header.add("an upstream without max_fails or fail_timeout: nginx rests a server for 10s after 1 failure"
                    + " (max_fails=1 fail_timeout=10s); Bascule ejects one after 5 failures in a row, for 10s");
        }
        return u;
    }

    private record Passive(Integer maxFails, Long failTimeout) {}

    /** One {@code server ADDRESS [params]}; returns its passive settings, or null when it is left out. */
    private Passive server(Directive d, Imported.Upstream u) {
        String address = d.arg(0);
        if (address == null || address.startsWith("unix:")) {
            notes.skip(d, "UNIX sockets are not supported: Bascule connects over TCP");
            return null;
        }
        String hostPort = NginxValues.serverAddress(address);
        if (hostPort == null) {
            notes.skip(d, "'" + address + "' is not an address Bascule can read");
            return null;
        }
        int weight = 1;
        int maxConns = 0;
        Integer maxFails = null;
        Long failTimeout = null;
        String comment = null;
        for (int i = 1; i < d.args().size(); i++) {
            String p = d.arg(i);
            String key = p.indexOf('=') < 0 ? p : p.substring(0, p.indexOf('='));
            String value = p.indexOf('=') < 0 ? "" : p.substring(p.indexOf('=') + 1);
            switch (key) {
                case "weight" -> {
                    Integer w = count(value);
                    if (w == null || w < 1) {
                        notes.skip(d, "bad weight '" + value + "'");
                    } else {
                        weight = Math.min(w, 1000);
                        if (w > 1000) {
                            comment = "weight " + w + " lowered to 1000, Bascule's highest";
                        }
                    }
                }
                case "max_fails" -> {
                    maxFails = count(value);
                    if (maxFails == null) {
                        notes.skip(d, "bad max_fails '" + value + "'");
                    }
                }
                case "fail_timeout" -> {
                    failTimeout = NginxValues.millis(value);
                    if (failTimeout == null || failTimeout == 0) {
                        notes.skip(d, "bad fail_timeout '" + value + "'");
                        failTimeout = null;
                    }
                }
                case "max_conns" -> {
                    Integer m = count(value);
                    if (m != null && m > 0) {
                        maxConns = Math.min(m, 1_000_000);
                        comment = "max_conns: nginx counts connections in use, Bascule's max_connections every open"
                                + " one, idle ones too";
                    }
                }
                case "down" -> {
                    u.comments.add("server " + address + " is down (" + notes.at(d) + "): left out, as nginx sends"
                            + " it nothing; add it back, or drain it with the admin API");
                    return null;
                }
                case "backup" -> {
                    notes.skip(d, "Bascule has no backup servers (every server takes traffic): server " + address
                            + " left out");
                    return null;
                }
                default -> notes.skip(d, "parameter '" + p + "': " + Reasons.NONE);
            }
        }
        u.servers.add(new Imported.Server(hostPort, weight, maxConns, comment));
        return new Passive(maxFails, failTimeout);
    }

    /** {@code hash KEY [consistent]}: the client address, a header or a cookie. */
    private void hash(Directive d, Imported.Upstream u) {
        String key = d.arg(0) == null ? "" : d.arg(0);
        String bascule;
        if (key.equals("$remote_addr") || key.equals("$binary_remote_addr")) {
            bascule = "client_ip";
        } else if (key.startsWith("$http_") && key.length() > 6 && plainName(key.substring(6))) {
            bascule = "header:" + key.substring(6).replace('_', '-').toLowerCase(Locale.ROOT);
        } else if (key.startsWith("$cookie_") && key.length() > 8 && plainName(key.substring(8))) {
            bascule = "cookie:" + key.substring(8);
        } else {
            notes.skip(d, "hash key '" + key + "': Bascule hashes the client address, a header or a cookie"
                    + " ($remote_addr, $http_NAME, $cookie_NAME); the upstream stays round robin");
            return;
        }
        u.balancer = "hash";
        u.hashKey = bascule;
        if (!"consistent".equals(d.arg(1))) {
            u.comments.add("hash " + key + " without consistent: nginx remaps most keys when a server comes or"
                    + " goes; Bascule's hash is always consistent (about 1/N of the keys move)");
        }
    }

    private static boolean plainName(String s) {
        return s.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '-');
    }

    /** {@code random two [least_conn]}: Bascule's random_two; plain {@code random} has no equivalent. */
    private void random(Directive d, Imported.Upstream u) {
        if ("two".equals(d.arg(0))) {
            u.balancer = "random_two";
            if (d.arg(1) != null && !d.arg(1).equals("least_conn")) {
                u.comments.add("random two " + d.arg(1) + ": Bascule's random_two picks the server with fewer"
                        + " requests in flight");
            }
            return;
        }
        notes.skip(d, "Bascule has no plain random balancer (random two is random_two); the upstream stays round"
                + " robin");
    }

    private static Integer count(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.parseInt(text);
    }
}
