package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Bascule config an import builds, before it is written as YAML: listeners, upstreams and routes with the
 * comments that say where each came from and how its meaning differs from nginx's.
 *
 * <p>Mutable, filled by one import on one thread.
 */
final class Imported {
    final List<Listener> listeners = new ArrayList<>();
    final Map<String, Upstream> upstreams = new LinkedHashMap<>();
    final List<Route> routes = new ArrayList<>();
    /** Comments at the top of the file: differences that concern the whole config, each once. */
    final Set<String> header = new LinkedHashSet<>();

    /** A listener, keyed by its address. */
    static final class Listener {
        final String address;
        boolean tls;
        boolean http2;
        boolean redirectHttps;
        /** cert, key pairs in order; the first is the default. */
        final List<String[]> certificates = new ArrayList<>();
        final List<String> comments = new ArrayList<>();

        Listener(String address) {
            this.address = address;
        }
    }

    static final class Upstream {
        final String name;
        /** Written as an upstream block, rather than made for a host:port a proxy_pass names. */
        boolean declared;
        String balancer = "round_robin";
        String hashKey;
        final List<Server> servers = new ArrayList<>();
        Integer consecutiveFailures;
        String baseEjection;
        /** null: plain HTTP; else reached with https (nginx does not verify origin certificates by default). */
        Boolean tls;
        final List<String> comments = new ArrayList<>();

        Upstream(String name) {
            this.name = name;
        }
    }

    /** One server of an upstream; {@code comment} is null or says what differs. */
    record Server(String address, int weight, int maxConnections, String comment) {}

    static final class Route {
        /** Where it came from: {@code server blue.labs.test (nginx.conf:38), location / (nginx.conf:42)}. */
        final List<String> comments = new ArrayList<>();
        String host;
        String pathPrefix;
        boolean stripPrefix;
        String upstream;
        String redirectTo;
        int redirectStatus;
        boolean keepPath;
        final Map<String, String> requestSet = new LinkedHashMap<>();
        final List<String> requestRemove = new ArrayList<>();
        final Map<String, String> responseAdd = new LinkedHashMap<>();
        String maxBodySize;
    }
}
