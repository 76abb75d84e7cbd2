package dev.bascule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.conditions.ArchPredicates.is;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bascule.control.Snapshot;

/**
 * The package dependency rules of STYLE.md ("Packages" and "Dependency rules"), checked on the compiled main
 * classes. ArchUnit reads bytecode, so a fully qualified name, a call through a returned value or a field type
 * counts as a dependency as much as an import does.
 *
 * <p>A rule here is the architecture, not a wish: when one fails, change the code, not the rule.
 */
@AnalyzeClasses(packages = "dev.bascule", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureRulesTest {

    @ArchTest
    static final ArchRule pureLayersUseNoNetty = noClasses()
            .that().resideInAnyPackage("dev.bascule.config..", "dev.bascule.route..", "dev.bascule.upstream..",
                    "dev.bascule.balance..")
            .should().dependOnClassesThat().resideInAPackage("io.netty..")
            .because("config, routes, upstream state and balancers are plain data and decisions: they are unit-tested"
                    + " without a channel, benchmarked without an event loop, and stay the same whatever the transport");

    @ArchTest
    static final ArchRule configUsesNoOtherBasculePackage = noClasses()
            .that().resideInAPackage("dev.bascule.config..")
            .should().dependOnClassesThat(resideInAPackage("dev.bascule..")
                    .and(not(resideInAPackage("dev.bascule.config.."))))
            .because("config knows the file format, not the proxy: it turns YAML into records and errors with"
                    + " line:column, and every other package builds on it, never the other way round");

    @ArchTest
    static final ArchRule dataPlaneDoesNotReadConfig = noClasses()
            .that().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.config..")
            .because("everything the data plane reads from the control plane comes through the snapshot, already"
                    + " validated and resolved; config records read per request would tie the event loops to the"
                    + " file format and bypass the one hand-off");

    @ArchTest
    static final ArchRule dataPlaneDoesNotUseHealthOrAdmin = noClasses()
            .that().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.health..", "dev.bascule.admin..")
            .because("health and admin are control plane: health filters candidates when the snapshot is built"
                    + " (balancers never check it) and passive health listens to exchange events, so the event"
                    + " loops never call into either");

    @ArchTest
    static final ArchRule controlUsesNoDataPlaneClass = noClasses()
            .that().resideInAPackage("dev.bascule.control..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..")
            .because("the control plane hands the data plane a snapshot and opens listeners through the"
                    + " ListenerSockets it defines; knowing the data plane's classes would let it push state on the"
                    + " side of the one hand-off");

    @ArchTest
    static final ArchRule healthDoesNotDependOnControl = noClasses()
            .that().resideInAPackage("dev.bascule.health..")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.control..")
            .because("control composes health (it runs the ejection policy and is the HealthControl active checks"
                    + " report to); a dependency back would make the two one package");

    @ArchTest
    static final ArchRule healthUsesNoDataPlaneOrAdmin = noClasses()
            .that().resideInAPackage("dev.bascule.health..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..",
                    "dev.bascule.admin..")
            .because("health checking is control plane: its prober has its own connections and reports through"
                    + " control, so it neither borrows the proxy's pipelines or pools nor answers to the admin API");

    @ArchTest
    static final ArchRule onlyControlConstructsSnapshots = noClasses()
            .that().resideOutsideOfPackage("dev.bascule.control")
            .should().callConstructorWhere(target(owner(is(equivalentTo(Snapshot.class)))))
            .because("a snapshot is complete and consistent only as control builds it (parse, validate, build,"
                    + " warm, swap); one assembled elsewhere could publish half a config to the data plane");

    @ArchTest
    static final ArchRule onlyControlUsesSnapshotBuilder = noClasses()
            .that().resideOutsideOfPackage("dev.bascule.control")
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.bascule.control.SnapshotBuilder")
            .because("reload and admin commands take the same all-or-nothing path through control; building a"
                    + " snapshot beside it would skip validation, state carry-over and draining");

    @ArchTest
    static final ArchRule onlyTheEntryPointWiresAdmin = noClasses()
            .that().resideOutsideOfPackages("dev.bascule.admin..", "dev.bascule")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.admin..")
            .because("the admin API sits on top of the control plane and goes through control for every command;"
                    + " only the entry point's wiring starts it, so nothing else can reach around control");

    @ArchTest
    static final ArchRule onlyTheEntryPointAndAdminUseMetrics = noClasses()
            .that().resideOutsideOfPackages("dev.bascule.metrics..", "dev.bascule.admin..", "dev.bascule")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.metrics..")
            .because("metrics read the running state when scraped and will listen to exchange events; the data"
                    + " plane never calls into them, and only the entry point's wiring and the admin API that serves"
                    + " them know they exist");

    @ArchTest
    static final ArchRule metricsReadNoDataPlaneClass = noClasses()
            .that().resideInAPackage("dev.bascule.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..",
                    "dev.bascule.admin..")
            .because("metrics read what the data plane does through the snapshot, the server states and exchange"
                    + " events, never by reaching into its classes; whatever they need from it is handed over by the"
                    + " entry point's wiring");

    @ArchTest
    static final ArchRule accessLogKnowsOnlyTheRecord = noClasses()
            .that().resideInAPackage("dev.bascule.accesslog..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.bascule.config..",
                    "dev.bascule.control..", "dev.bascule.proxy..", "dev.bascule.origin..", "dev.bascule.health..",
                    "dev.bascule.metrics..", "dev.bascule.admin..")
            .because("the access log is a sink of exchange records: the event loops only copy a record into its"
                    + " ring, and its writer thread formats and writes; the control plane decides where and how from"
                    + " the config and hands it an output and a format, so the log never reaches into either plane");

    @ArchTest
    static final ArchRule http1CodecIsProtocolCodeOnly = noClasses()
            .that().resideInAPackage("dev.bascule.http1..")
            .should().dependOnClassesThat(resideInAPackage("dev.bascule..")
                    .and(not(resideInAPackage("dev.bascule.http1.."))))
            .because("the HTTP/1 codec reads and writes bytes as RFC 9112 says and speaks Netty's message types to"
                    + " both sides; the client side and the origin side both use it, so it must know neither, nor"
                    + " the snapshot or the config that set its limits");

    @ArchTest
    static final ArchRule http2FramesAreProtocolCodeOnly = noClasses()
            .that().resideInAPackage("dev.bascule.http2..")
            .should().dependOnClassesThat(resideInAPackage("dev.bascule..")
                    .and(not(resideInAPackage("dev.bascule.http2.."))))
            .because("the HTTP/2 frame output encodes frames as RFC 9113 says for whichever connection handler"
                    + " drives it; the limits it enforces are handed to it, not read from the config");

    @ArchTest
    static final ArchRule releaseDecidesOnValuesOnly = noClasses()
            .that().resideInAPackage("dev.bascule.release..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.bascule.proxy..",
                    "dev.bascule.origin..", "dev.bascule.control..", "dev.bascule.health..", "dev.bascule.admin..",
                    "dev.bascule.config..", "dev.bascule.metrics..")
            .because("a rollout's decisions are a function of its state, the step's figures and the time, so the"
                    + " same decision comes out on any instance of a fleet; the control plane drives it and applies"
                    + " the split it asks for");

    @ArchTest
    static final ArchRule fleetFeedsControlOnly = noClasses()
            .that().resideInAPackage("dev.bascule.fleet..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..",
                    "dev.bascule.admin..", "dev.bascule.health..", "dev.bascule.metrics..")
            .because("a fleet changes what an instance does only through the control plane's public commands"
                    + " (reload, registered servers), exactly as the file and the admin API do; the data plane never"
                    + " learns that etcd exists");

    @ArchTest
    static final ArchRule onlyFleetTalksToEtcd = noClasses()
            .that().resideOutsideOfPackage("dev.bascule.fleet..")
            .should().dependOnClassesThat().resideInAnyPackage("io.etcd..", "io.grpc..", "io.vertx..")
            .because("etcd's client and its gRPC stack load only when a config has a 'cluster' section: a single"
                    + " instance pays for none of it, in classes or in memory");

    @ArchTest
    static final ArchRule historyOnlyReads = noClasses()
            .that().resideInAPackage("dev.bascule.history..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.proxy..", "dev.bascule.origin..",
                    "dev.bascule.health..", "dev.bascule.metrics..", "dev.bascule.admin..", "dev.bascule.config..")
            .because("the dashboard's samples read the recorders the live snapshot points to, off the event loops;"
                    + " the data plane records as it always does and never waits on them, and nothing here can"
                    + " change what the proxy does");

    @ArchTest
    static final ArchRule controlUsesNoOriginTypes = noClasses()
            .that().resideInAPackage("dev.bascule.control..")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.origin..")
            .because("the snapshot describes upstreams (addresses, TLS material, timeouts) in control's own terms;"
                    + " how the origin side pools and speaks to them is the data plane's business, and control"
                    + " depending on it would make the two planes call each other");

    @ArchTest
    static final ArchRule explainOnlyReads = noClasses()
            .that().resideInAPackage("dev.bascule.explain..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.bascule.proxy..",
                    "dev.bascule.origin..", "dev.bascule.health..", "dev.bascule.metrics..", "dev.bascule.admin..")
            .because("explain answers from the snapshot or a config file with the same matchers and balancers the"
                    + " proxy uses, and only reads them; reaching into the data plane or the health checks would let"
                    + " a question change what the proxy does");

    @ArchTest
    static final ArchRule onlyTraceUsesOpenTelemetry = noClasses()
            .that().resideOutsideOfPackage("dev.bascule.trace..")
            .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
            .because("the OpenTelemetry SDK is one sink of exchange events among others: spans are built from the"
                    + " exchange record in trace, and the data plane only reads and writes trace headers, so the SDK"
                    + " can change or go without touching the proxy");

    @ArchTest
    static final ArchRule traceStaysBesideThePlanes = noClasses()
            .that().resideInAPackage("dev.bascule.trace..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.bascule.proxy..",
                    "dev.bascule.origin..", "dev.bascule.control..", "dev.bascule.config..", "dev.bascule.admin..")
            .because("trace holds rules (what a request id or traceparent may be, who is sampled) and a sink of"
                    + " exchange records; the proxy applies the rules to its headers and control owns the exporter,"
                    + " so trace depends on neither");

    @ArchTest
    static final ArchRule onlyLimitUsesLettuce = noClasses()
            .that().resideOutsideOfPackage("dev.bascule.limit..")
            .should().dependOnClassesThat().resideInAPackage("io.lettuce..")
            .because("the Redis client is one way to keep global buckets: the data plane asks a GlobalRateLimit and"
                    + " gets a BucketAnswer, control opens and closes RedisBuckets, so the client can change without"
                    + " touching either plane, and its threads stay its own");

    @ArchTest
    static final ArchRule limitKnowsNeitherPlaneNorTheConfig = noClasses()
            .that().resideInAPackage("dev.bascule.limit..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.bascule.config..", "dev.bascule.control..",
                    "dev.bascule.proxy..", "dev.bascule.origin..", "dev.bascule.admin..", "dev.bascule.metrics..")
            .because("global rate limits are a service both planes use: control opens them from plain settings and"
                    + " the event loops ask them, so they depend on neither, and count into a counter they are handed");

    @ArchTest
    static final ArchRule onlyTheEntryPointAndAdminUseExplain = noClasses()
            .that().resideOutsideOfPackages("dev.bascule.explain..", "dev.bascule.admin..", "dev.bascule")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.explain..")
            .because("explain is an operator's question, asked through the admin API or the command line; the"
                    + " control and data planes never depend on it");

    @ArchTest
    static final ArchRule runtimeStateIsRecordsAndStores = noClasses()
            .that().resideInAPackage("dev.bascule.state..")
            .should().dependOnClassesThat(resideInAPackage("io.netty..").or(resideInAPackage("dev.bascule..")
                    .and(not(resideInAPackage("dev.bascule.state..")))
                    .and(not(resideInAPackage("dev.bascule.release..")))))
            .because("the state package holds what outlives a restart and where it is kept; control decides what"
                    + " goes in and how it meets a reloaded file, so a store (a file today, etcd tomorrow) knows"
                    + " neither the proxy nor the config format. It keeps rollouts as they are, release's pure values,"
                    + " which hold no behaviour of either plane");

    @ArchTest
    static final ArchRule theNginxImportIsAnOfflineToolOfTheCommandLine = noClasses()
            .that().resideOutsideOfPackages("dev.bascule.nginx..", "dev.bascule")
            .should().dependOnClassesThat().resideInAPackage("dev.bascule.nginx..")
            .because("import-nginx reads a file and prints YAML for a person to check; the proxy never reads an"
                    + " nginx config, so only the command line may call it");

    @ArchTest
    static final ArchRule theNginxImportUsesNoNettyNorTheProxy = noClasses()
            .that().resideInAPackage("dev.bascule.nginx..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.bascule.proxy..",
                    "dev.bascule.origin..", "dev.bascule.control..", "dev.bascule.admin..")
            .because("it translates text to text; Bascule's own loader, called by the command line, is what judges"
                    + " the result");
}
