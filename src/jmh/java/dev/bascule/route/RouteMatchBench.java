package dev.bascule.route;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.config.RouteConfig;
import dev.bascule.control.RouteParts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link RouteTable#match} over the route table of the lab scenario ({@code examples/labs.yaml}: two exact
 * hosts, two path prefixes with strip, the release routes on app.labs.test (one with a header condition, a
 * split), a catch-all), loaded and compiled the way the snapshot builder does it.
 * Each {@code request} names a (Host header, target) pair and the route it should reach; {@link #setUp} checks
 * that it does. Run with {@code -prof gc}: matching should show {@code gc.alloc.rate.norm} of 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchBench {
    @Param({"blue_host", "green_host_mixed_case_port", "blue_prefix", "green_prefix_query", "prefix_lookalike",
            "catch_all", "no_host", "release_split"})
    public String request;

    /** A GET with no header lines but Host, as the data plane reads a request's fields for conditions. */
    private static final RequestFields NO_FIELDS = new RequestFields() {
        @Override
        public String method() {
            return "GET";
        }

        @Override
        public CharSequence field(String name) {
            return null;
        }

        @Override
        public boolean hasField(String name, String value) {
            return false;
        }
    };

    private RouteTable<String> table;
    private String host;
    private String target;

    @Setup
    public void setUp() throws Exception {
        table = labsTable();
        int expected;
        switch (request) {
            case "blue_host" -> {
                host = "blue.labs.test";
                target = "/";
                expected = 0;
            }
            case "green_host_mixed_case_port" -> {
                host = "Green.LABS.test:8080";
                target = "/api/v1/items?page=2";
                expected = 1;
            }
            case "blue_prefix" -> {
                host = "localhost:8080";
                target = "/blue/static/app.js";
                expected = 2;
            }
            case "green_prefix_query" -> {
                host = "127.0.0.1:8080";
                target = "/green?color=1";
                expected = 3;
            }
            case "prefix_lookalike" -> {
                // "/greenhouse" must not take the "/green" route: it walks the whole table to the catch-all
                host = "www.example.com";
                target = "/greenhouse/index.html";
                expected = 6;
            }
            case "catch_all" -> {
                host = "WWW.Example.COM:443";
                target = "/about/team";
                expected = 6;
            }
            case "no_host" -> {
                host = null; // an HTTP/1.0 request without Host
                target = "/health";
                expected = 6;
            }
            case "release_split" -> {
                // past the pinned route, whose x-release header condition does not hold without that header
                host = "app.labs.test";
                target = "/";
                expected = 5;
            }
            default -> throw new IllegalArgumentException("unknown request " + request);
        }
        Route<String> route = table.match(host, target, NO_FIELDS);
        if (route != table.routes().get(expected)) {
            throw new IllegalStateException(request + " matched " + route + ", expected route " + expected);
        }
    }

    @Benchmark
    public Route<String> match() {
        return table.match(host, target, NO_FIELDS);
    }

    /** The lab scenario's routes, each leading to its upstream's name; built as SnapshotBuilder builds them. */
    static RouteTable<String> labsTable() throws Exception {
        String yaml;
        try (InputStream in = RouteMatchBench.class.getClassLoader().getResourceAsStream("examples/labs.yaml")) {
            if (in == null) {
                throw new IOException("examples/labs.yaml is not on the classpath");
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).parse(yaml, "examples/labs.yaml");
        List<Route<String>> routes = new ArrayList<>();
        for (RouteConfig rc : config.routes()) {
            routes.add(RouteParts.route(rc, rc.upstreamLabel()));
        }
        if (routes.size() != 7) {
            throw new IllegalStateException("the lab scenario has changed: " + routes);
        }
        return new RouteTable<>(routes);
    }
}
