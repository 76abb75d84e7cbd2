package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.ConfigException;
import dev.bascule.control.CommandException;
import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.RolloutCommand;
import dev.bascule.control.RouteStatus;
import dev.bascule.control.Snapshot;
import dev.bascule.control.Status;
import dev.bascule.explain.Explanation;
import dev.bascule.fleet.Fleet;
import dev.bascule.explain.Question;
import dev.bascule.history.LiveStats;
import dev.bascule.metrics.Exposition;
import dev.bascule.metrics.Metrics;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a request to a control-plane call and its answer:
 * <pre>
 * GET    /                                           200 the dashboard (HTML); its files under /dashboard/ and
 *                                                         /favicon.svg, with ETags (304 on If-None-Match)
 * GET    /ready                                       200 {"status": "ready"} while Bascule takes traffic,
 *                                                     503 {"status": "shutting down"} from the moment shutdown starts
 * GET    /status                                      200 running config and every server
 * GET    /stats?window=30s|5m|15m[&since=T]           200 one-second samples of the last window (see {@link
 *                                                         StatsJson}), those after Unix time T only; 400 for another
 *                                                         window
 * GET    /cluster                                     200 the fleet as this instance sees it (see {@link ClusterJson});
 *                                                     404 for an instance not in a fleet
 * GET    /events                                      200 the last server state changes, newest first (see {@link
 *                                                         TransitionsJson})
 * GET    /metrics                                     200 Prometheus text format 0.0.4, or OpenMetrics 1.0.0 when
 *                                                         Accept asks for application/openmetrics-text
 * GET    /explain?host=H&path=P[&method=M][&client=IP][&header=Name:value]...
 *                                                     200 why that request would go where it goes (see
 *                                                         {@link Explanation}); 400 for a missing or bad parameter
 * POST   /reload                                      200 {"status": "ok", "version": N}
 *                                                     400 {"error": "...", "errors": ["file:line:col: ...", ...]}
 * POST   /upstreams/{name}/servers                    201 the server; body {"address": "h:p", "weight": 1}
 *                                                         (weight optional, default 1)
 * GET    /upstreams/{name}/servers/{address}          200 the server
 * PATCH  /upstreams/{name}/servers/{address}          200 the server; body {"weight": 3}
 * DELETE /upstreams/{name}/servers/{address}          202 the server, now draining; it leaves once idle
 * POST   /upstreams/{name}/servers/{address}/drain    200 the server
 * POST   /upstreams/{name}/servers/{address}/undrain  200 the server
 * GET    /routes                                      200 every route: name, label, match, upstream or split with
 *                                                         its weights, sticky, rollout (see {@link RoutesJson})
 * GET    /routes/{name}                               200 one route (by name, or by label for a route without one)
 * PUT    /routes/{name}/split                         200 the route; body {"web-blue": 80, "web-green": 20}, applied
 *                                                         at once and kept in the state file; 409 a route without a
 *                                                         name or a split with those upstreams, or with a live
 *                                                         rollout; 400 weights that do not add up to 100 or an
 *                                                         unknown upstream
 * POST   /routes/{name}/rollout                       202 the rollout; body {"to": "web-green", "steps": [5, 25, 50,
 *                                                         100], "step_interval": "30s", "guard": {...}} (see {@link
 *                                                         Bodies#rolloutPlan}); 409 a route without a name or a split
 *                                                         with that upstream, or with a live rollout; 400 a bad plan
 * POST   /routes/{name}/rollout/pause|resume|abort    200 the rollout; 409 when none is running or paused
 * POST   /routes/{name}/promote                       200 the rollout, done with its upstream at 100%; 409 likewise
 * </pre>
 * {@code {address}} may be raw ({@code 127.0.0.1:9005}, {@code [::1]:9005}) or percent-encoded. Other bodies
 * are ignored.
 * A "server" answer is the server's entry from {@code /status} as it is right after the command.
 *
 * <p>Threading: {@link #handle} is called on an event loop and never blocks it; its future completes on the
 * control thread (or the reload or scrape thread, or at once) and never fails: failures become error replies.
 */
final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final List<String> EXPLAIN_PARAMETERS = List.of("host", "path", "method", "client", "header");

    private final ControlPlane control;
    private final ConfigSource reloadSource;
    private final Executor reloadThread;
    private final Metrics metrics;
    private final Executor scrapeThread;
    private final BooleanSupplier ready;
    private final LiveStats stats;
    private final DashboardAssets dashboard;
    /** Null for a single instance. */
    private final Fleet fleet;

    /**
     * @param reloadSource null when this instance cannot reload (then {@code /reload} answers 503)
     * @param reloadThread where {@code reloadSource} reads the config; it does file I/O, so not an event loop
     * @param metrics what {@code /metrics} exposes; null when there is nothing (then it answers 404)
     * @param scrapeThread where {@code metrics} are scraped and formatted: the JVM's metrics read {@code /proc} and
     *     every thread's state, which is no work for an event loop
     * @param ready false from the moment shutdown starts
     * @param stats the one-second samples {@code /stats} serves (read on their own thread)
     * @param dashboard the page and its files
     * @param fleet the fleet {@code /cluster} reports; null for a single instance
     */
    AdminRoutes(ControlPlane control, ConfigSource reloadSource, Executor reloadThread, Metrics metrics,
            Executor scrapeThread, BooleanSupplier ready, LiveStats stats, DashboardAssets dashboard, Fleet fleet) {
        this.fleet = fleet;
        this.control = control;
        this.reloadSource = reloadSource;
        this.reloadThread = reloadThread;
        this.metrics = metrics;
        this.scrapeThread = scrapeThread;
        this.ready = ready;
        this.stats = stats;
        this.dashboard = dashboard;
    }

    CompletableFuture<Reply> handle(AdminRequest r) {
        CompletableFuture<Reply> reply;
        try {
            reply = route(r);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((ok, failed) -> failed == null ? ok : Reply.failure(failed));
    }

    private CompletableFuture<Reply> cluster() {
        if (fleet == null) {
            return done(Reply.error(HttpResponseStatus.NOT_FOUND, "this instance is not part of a fleet (no"
                    + " 'cluster' in its config)"));
        }
        return fleet.status().thenApply(s -> new Reply(HttpResponseStatus.OK, ClusterJson.of(s)));
    }

    private CompletableFuture<Reply> route(AdminRequest r) {
        List<String> path = RequestPath.segments(r.target());
        if (path.equals(List.of("ready"))) {
            return only(r, "GET", this::ready);
        }
        if (path.equals(List.of("status"))) {
            return only(r, "GET", this::status);
        }
        if (path.equals(List.of("stats"))) {
            return only(r, "GET", () -> stats(r.target()));
        }
        if (path.equals(List.of("events"))) {
            return only(r, "GET", () -> control.transitions()
                    .thenApply(t -> new Reply(HttpResponseStatus.OK, TransitionsJson.of(t))));
        }
        if (DashboardAssets.isAsset(path)) {
            return only(r, "GET", () -> done(dashboard.reply(path, r.headers().getAll(HttpHeaderNames.IF_NONE_MATCH))));
        }
        if (path.equals(List.of("cluster"))) {
            return only(r, "GET", this::cluster);
        }
        if (path.equals(List.of("reload"))) {
            return only(r, "POST", this::reload);
        }
        if (path.equals(List.of("explain"))) {
            return only(r, "GET", () -> done(explain(r.target())));
        }
        if (path.equals(List.of("metrics")) && metrics != null) {
            return only(r, "GET", () -> metrics(r.accept()));
        }
        if (path.get(0).equals("routes") && path.size() <= 4) {
            return routes(r, path);
        }
        if (path.size() < 3 || path.size() > 5 || !path.get(0).equals("upstreams") || !path.get(2).equals("servers")) {
            return done(Reply.notFound());
        }
        String upstream = path.get(1);
        if (path.size() == 3) {
            return only(r, "POST", () -> addServer(upstream, r.body()));
        }
        String address = path.get(3);
        if (path.size() == 4) {
            return switch (r.method()) {
                case "GET", "HEAD" -> server(upstream, address);
                case "PATCH" -> {
                    int weight = Bodies.newWeight(r.body());
                    yield control.setWeight(upstream, address, weight)
                            .thenCompose(v -> serverAfter(upstream, address, HttpResponseStatus.OK));
                }
                case "DELETE" -> control.removeServer(upstream, address)
                        .thenCompose(v -> serverAfter(upstream, address, HttpResponseStatus.ACCEPTED));
                default -> done(Reply.methodNotAllowed(r.method(), "GET, HEAD, PATCH, DELETE"));
            };
        }
        return switch (path.get(4)) {
            case "drain" -> only(r, "POST", () -> drain(upstream, address, true));
            case "undrain" -> only(r, "POST", () -> drain(upstream, address, false));
            default -> done(Reply.notFound());
        };
    }

    /** {@code /routes}, {@code /routes/{name}}, {@code /routes/{name}/split}, its rollout and promote. */
    private CompletableFuture<Reply> routes(AdminRequest r, List<String> path) {
        if (path.size() == 1) {
            return only(r, "GET", () -> control.routes()
                    .thenApply(routes -> new Reply(HttpResponseStatus.OK, RoutesJson.routes(routes))));
        }
        String name = path.get(1);
        if (path.size() == 2) {
            return only(r, "GET", () -> control.route(name)
                    .thenApply(route -> new Reply(HttpResponseStatus.OK, RoutesJson.route(route))));
        }
        if (path.size() == 4) {
            if (!path.get(2).equals("rollout")) {
                return done(Reply.notFound());
            }
            RolloutCommand command = switch (path.get(3)) {
                case "pause" -> RolloutCommand.PAUSE;
                case "resume" -> RolloutCommand.RESUME;
                case "abort" -> RolloutCommand.ABORT;
                default -> null;
            };
            return command == null ? done(Reply.notFound())
                    : only(r, "POST", () -> control.rollout(name, command).thenApply(AdminRoutes::rolloutReply));
        }
        return switch (path.get(2)) {
            case "split" -> only(r, "PUT", () -> control.setSplit(name, Bodies.splitWeights(r.body()))
                    .thenApply(route -> new Reply(HttpResponseStatus.OK, RoutesJson.route(route))));
            case "rollout" -> only(r, "POST", () -> control.startRollout(name, Bodies.rolloutPlan(r.body()))
                    .thenApply(route -> new Reply(HttpResponseStatus.ACCEPTED, RoutesJson.rollout(route.rollout()))));
            case "promote" -> only(r, "POST", () -> control.rollout(name, RolloutCommand.PROMOTE)
                    .thenApply(AdminRoutes::rolloutReply));
            default -> done(Reply.notFound());
        };
    }

    private static Reply rolloutReply(RouteStatus route) {
        return new Reply(HttpResponseStatus.OK, RoutesJson.rollout(route.rollout()));
    }

    private static CompletableFuture<Reply> only(AdminRequest r, String method,
            Supplier<CompletableFuture<Reply>> action) {
        // RFC 9110 9.3.2: a resource that answers GET answers HEAD alike; the server codec leaves out the body.
        if (r.method().equals(method) || method.equals("GET") && r.readsOnly()) {
            return action.get();
        }
        return done(Reply.methodNotAllowed(r.method(), method.equals("GET") ? "GET, HEAD" : method));
    }

    /** Answered here, not by the control thread: a probe must not wait behind a reload. */
    private CompletableFuture<Reply> ready() {
        boolean up = ready.getAsBoolean();
        ObjectNode body = Json.object();
        body.put("status", up ? "ready" : "shutting down");
        return done(new Reply(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body));
    }

    private CompletableFuture<Reply> status() {
        return control.status().thenApply(s -> {
            ObjectNode body = StatusJson.status(s);
            // The fleet's name, null alone: the dashboard asks GET /cluster only then (a 404 would be a console error).
            body.put("cluster", fleet == null ? null : fleet.fleetName());
            return new Reply(HttpResponseStatus.OK, body);
        });
    }

    /**
     * Formats the samples on the ring's own thread: fifteen minutes of every series is a few hundred kilobytes of
     * JSON, no work for an event loop.
     */
    private CompletableFuture<Reply> stats(String target) {
        StatsJson.Query q = StatsJson.query(target);
        return stats.read(ring -> new Reply(HttpResponseStatus.OK, StatsJson.of(ring.window(q.seconds(),
                q.sinceMillis()))));
    }

    /**
     * Reads the live snapshot once and explains the request against it, here on the event loop: it only reads
     * (no token, position or counter moves), takes no lock and costs microseconds.
     */
    private Reply explain(String target) {
        QueryParameters p = QueryParameters.of(target, EXPLAIN_PARAMETERS);
        Question question;
        try {
            question = Question.of(p.single("host"), p.single("path"), p.single("method"), p.single("client"),
                    p.all("header"));
        } catch (IllegalArgumentException e) {
            return Reply.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        Snapshot snapshot = control.live().get();
        return new Reply(HttpResponseStatus.OK, Explanation.live(snapshot, question, control.nanoTime()).json());
    }

    private CompletableFuture<Reply> metrics(String accept) {
        return CompletableFuture.supplyAsync(() -> {
            Exposition e = metrics.expose(accept);
            return Reply.ok(e.contentType(), e.body());
        }, scrapeThread);
    }

    private CompletableFuture<Reply> addServer(String upstream, byte[] body) {
        Bodies.NewServer s = Bodies.newServer(body);
        return control.addServer(upstream, s.address(), s.weight())
                .thenCompose(v -> serverAfter(upstream, s.address(), HttpResponseStatus.CREATED));
    }

    private CompletableFuture<Reply> drain(String upstream, String address, boolean draining) {
        return control.drain(upstream, address, draining)
                .thenCompose(v -> serverAfter(upstream, address, HttpResponseStatus.OK));
    }

    /** GET of one server: 404 names what is missing, as the commands do. */
    private CompletableFuture<Reply> server(String upstream, String address) {
        return control.status().thenApply(s -> {
            Status.ServerStatus found = StatusJson.find(s, upstream, address);
            if (found != null) {
                return new Reply(HttpResponseStatus.OK, StatusJson.server(found));
            }
            if (!s.upstreams().containsKey(upstream)) {
                throw new CommandException(404, "unknown upstream '" + upstream + "'");
            }
            throw new CommandException(404, "no server " + address + " in upstream '" + upstream + "'");
        });
    }

    /**
     * The server as it is right after a successful command. A reload may have dropped it in between; the
     * command still succeeded, so the answer keeps its status and names the server only.
     */
    private CompletableFuture<Reply> serverAfter(String upstream, String address, HttpResponseStatus status) {
        return control.status().thenApply(s -> {
            Status.ServerStatus found = StatusJson.find(s, upstream, address);
            if (found != null) {
                return new Reply(status, StatusJson.server(found));
            }
            ObjectNode body = Json.object();
            body.put("address", StatusJson.key(address));
            return new Reply(status, body);
        });
    }

    private CompletableFuture<Reply> reload() {
        if (reloadSource == null) {
            return done(Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "reload is not available: this instance has no config file"));
        }
        // The control plane reads the file (on the reload thread: file I/O), so that one that does not parse is
        // counted as a rejected reload like any other.
        return CompletableFuture.supplyAsync(() -> control.reload(reloadSource), reloadThread)
                .thenCompose(reload -> reload)
                .whenComplete((version, failed) -> {
                    if (failed != null && failed.getCause() instanceof ConfigException e) {
                        log.warn("reload through the admin API rejected: {}", e.getMessage());
                    }
                })
                .thenApply(version -> {
                    ObjectNode body = Json.object();
                    body.put("status", "ok");
                    body.put("version", version);
                    return new Reply(HttpResponseStatus.OK, body);
                });
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
