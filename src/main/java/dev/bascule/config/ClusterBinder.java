package dev.bascule.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Binds {@code cluster}: the fleet's name, this node's name, and how to reach etcd. One instance binds one tree. */
final class ClusterBinder {
    static final List<String> CLUSTER_KEYS = List.of("name", "etcd", "node");
    static final List<String> ETCD_KEYS = List.of("endpoints", "dial_timeout", "user", "password", "tls");
    static final List<String> ETCD_TLS_KEYS = List.of("ca", "cert", "key");
    static final String NAME_FORM = "1 to 64 letters, digits, '.', '_' or '-'";
    static final String ENDPOINT_FORM = "an http or https URL with a host and a port, such as http://127.0.0.1:2379";

    private final Problems problems;
    private final TlsBinder paths;

    ClusterBinder(Problems problems, TlsBinder paths) {
        this.problems = problems;
        this.paths = paths;
    }

    /** @return null when absent, or after reporting a problem */
    ClusterConfig bind(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'cluster'", problems, CLUSTER_KEYS);
        if (f == null) {
            return null;
        }
        String name = f.requiredText("name");
        if (name != null && !isName(name)) {
            problems.add(f.valueMark("name"), "bad cluster name '" + name + "', expected " + NAME_FORM);
        }
        String nodeName = f.text("node");
        if (nodeName != null && !nodeName.isEmpty() && !isName(nodeName)) {
            problems.add(f.valueMark("node"), "bad cluster node '" + nodeName + "', expected " + NAME_FORM
                    + ", or empty for the host name and the admin port");
        }
        ClusterConfig.Etcd etcd = etcd(f.required("etcd"));
        if (name == null || etcd == null) {
            return null;
        }
        return new ClusterConfig(name, nodeName == null || nodeName.isEmpty() ? null : nodeName, etcd);
    }

    private ClusterConfig.Etcd etcd(YamlNode node) {
        if (node == null) {
            return null; // reported as missing
        }
        Fields f = Fields.open(node, "'etcd'", problems, ETCD_KEYS);
        if (f == null) {
            return null;
        }
        YamlNode endpointsNode = f.required("endpoints");
        List<URI> endpoints = f.list("endpoints", ClusterBinder::parseEndpoint, List.of());
        if (endpointsNode != null && endpoints.isEmpty() && f.sequence(endpointsNode, "endpoints") != null
                && f.sequence(endpointsNode, "endpoints").items().isEmpty()) {
            problems.add(f.valueMark("endpoints"), "'endpoints' needs at least one etcd URL, such as "
                    + "http://127.0.0.1:2379");
        }
        String user = f.text("user");
        String password = f.text("password");
        if ((user == null) != (password == null)) {
            problems.add(f.mark(), "etcd 'user' and 'password' go together: give both or neither");
        }
        ClusterConfig.EtcdTls tls = tls(f.node("tls"));
        return new ClusterConfig.Etcd(endpoints, f.duration("dial_timeout", ClusterConfig.DEFAULT_DIAL_TIMEOUT),
                user, password, tls);
    }

    private ClusterConfig.EtcdTls tls(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "etcd 'tls'", problems, ETCD_TLS_KEYS);
        if (f == null) {
            return null;
        }
        Path ca = f.parsed("ca", paths::path, null);
        Path cert = f.parsed("cert", paths::path, null);
        Path key = f.parsed("key", paths::path, null);
        if ((cert == null) != (key == null)) {
            problems.add(f.mark(), "etcd tls 'cert' and 'key' go together: give both or neither");
        }
        return new ClusterConfig.EtcdTls(ca, cert, key);
    }

    static boolean isName(String text) {
        if (text.isEmpty() || text.length() > 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** An etcd client URL: http or https, a host and a port, nothing else (jetcd takes exactly that). */
    static URI parseEndpoint(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath();
        boolean ok = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getPort() > 0
                && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
                && (path == null || path.isEmpty() || path.equals("/"));
        if (!ok) {
            throw bad(text);
        }
        return uri;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad etcd endpoint '" + text + "', expected " + ENDPOINT_FORM);
    }
}
