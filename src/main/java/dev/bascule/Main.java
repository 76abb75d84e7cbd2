package dev.bascule;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ConfigLoader;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.demo.DemoOrigin;
import dev.bascule.explain.Explanation;
import dev.bascule.explain.Question;
import dev.bascule.nginx.NginxImport;
import dev.bascule.nginx.NginxSyntaxException;
import dev.bascule.proxy.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code bascule} command line: {@code run}, {@code validate}, {@code explain}, {@code import-nginx},
 * {@code push} and {@code demo} (the default).
 */
@Command(name = "bascule", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A reverse proxy and load balancer.%nWith no command, runs the demo.",
        subcommands = {Main.Run.class, Main.Validate.class, Main.Explain.class, Main.ImportNginx.class,
            Push.class, Main.Demo.class})
public final class Main implements Callable<Integer> {

    /** The demo's config, shipped inside the jar and in the repository as examples/labs.yaml. */
    static final String DEMO_CONFIG = "examples/labs.yaml";
    /**
     * Where the demo keeps its runtime changes (splits, rollouts, servers), in the working directory: its config
     * comes from the jar, which has no folder to keep them beside.
     */
    static final String DEMO_STATE_FILE = "labs.state.json";

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public Integer call() throws Exception {
        return new Demo().call();
    }

    static ConfigLoader loader() {
        return new ConfigLoader(Balancers.standard().names());
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy with a config file.")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @Option(names = "--threads", description = "event loops (default: one per core)")
        int threads;

        @Option(names = "--watch", description = "reload the config when the file changes")
        boolean watch;

        @Override
        public Integer call() throws Exception {
            BasculeConfig cfg;
            ConfigLoader loader = loader();
            try {
                cfg = loader.load(config);
            } catch (ConfigException e) {
                printErrors(e, new PrintWriter(System.err, true, StandardCharsets.UTF_8));
                return 1;
            }
            // Signals are taken before the listeners open: one sent as soon as they do must not end the process.
            Reloads.Sighup hup = Reloads.onSighup();
            AtomicReference<Bascule> running = new AtomicReference<>();
            LogRotation.onSigusr1(running);
            Bascule bascule;
            try {
                bascule = Bascule.run(cfg, config, loader, threads);
            } catch (ConfigException e) { // what only starting finds out: a certificate file, a port already taken
                printErrors(e, new PrintWriter(System.err, true, StandardCharsets.UTF_8));
                return 1;
            }
            running.set(bascule);
            hup.started(bascule);
            if (watch) {
                Reloads.watch(config, bascule);
            }
            awaitShutdown(bascule::shutdownGracefully);
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a config file; print each error as FILE:LINE:COLUMN: message.")
    static final class Validate implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                loader().load(config);
                spec.commandLine().getOut().println(config + ": ok");
                return 0;
            } catch (ConfigException e) {
                printErrors(e, spec.commandLine().getErr());
                return 1;
            }
        }
    }

    /**
     * Explains a request against a config file, offline: for checking a config before deploying it. Its exit
     * status lets a script do that check.
     */
    @Command(name = "explain", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = Explain.ERROR,
            description = {"Show which route a request would take under a config file, why the others did not"
                    + " match, and the upstream it goes to; no live state (server health, rate-limit tokens).",
                    "Exits 0 when a route matched, 2 when none did, 1 on an error in the config (printed as"
                    + " FILE:LINE:COLUMN: message) or in the arguments."})
    static final class Explain implements Callable<Integer> {
        static final int MATCHED = 0;
        static final int ERROR = 1;
        static final int NO_ROUTE = 2;

        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @Option(names = "--host", required = true, description = "the request's Host, such as blue.labs.test")
        String host;

        @Option(names = "--path", required = true, description = "the request target, such as /green/x?y")
        String path;

        @Option(names = "--method", defaultValue = "GET", description = "the request method (default: ${DEFAULT-VALUE})")
        String method;

        @Option(names = "--client", description = "the client's IP address, for allow/deny and hash keys")
        String client;

        @Option(names = "--header", paramLabel = "Name:value", description = "a request header; repeatable")
        List<String> headers = new ArrayList<>();

        @Option(names = "--json", description = "print JSON, as the admin API's GET /explain")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Question question;
            try {
                question = Question.of(host, path, method, client, headers);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("bascule explain: " + e.getMessage());
                return ERROR;
            }
            BasculeConfig cfg;
            try {
                cfg = loader().load(config);
            } catch (ConfigException e) {
                printErrors(e, spec.commandLine().getErr());
                return ERROR;
            }
            Explanation explanation = Explanation.offline(cfg, question);
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? explanation.json().toPrettyString() + "\n" : explanation.text());
            out.flush();
            return explanation.routed() ? MATCHED : NO_ROUTE;
        }
    }

    /**
     * Translates an nginx config into a Bascule one on stdout; what it does not translate goes to stderr, one line
     * per directive. The result is checked as {@code validate} would.
     */
    @Command(name = "import-nginx", mixinStandardHelpOptions = true,
            description = {"Translate an nginx config into a Bascule config, printed on stdout.",
                    "Each directive not translated is listed on stderr as FILE:LINE: directive 'x' not translated:"
                    + " reason; comments in the YAML say where the meaning differs.",
                    "Exits 0 when the result is a valid Bascule config, 1 when the file cannot be read, nginx"
                    + " would refuse its syntax, or the result does not validate yet (its errors follow)."})
    static final class ImportNginx implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NGINX_CONF", description = "the nginx config file")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println(file + ": cannot read: " + (e.getMessage() == null ? e : e.getMessage()));
                err.flush();
                return 1;
            }
            NginxImport.Result result;
            try {
                result = NginxImport.translate(text, file.toString());
            } catch (NginxSyntaxException e) {
                err.println(file + ":" + e.line() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(result.yaml());
            out.flush();
            result.notes().forEach(err::println);
            try {
                loader().parse(result.yaml(), "imported.yaml");
            } catch (ConfigException e) {
                err.println("the translation is not a valid Bascule config yet:");
                printErrors(e, err);
                return 1;
            }
            err.flush();
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Start four demo origins and the proxy on 127.0.0.1:8080 (examples/labs.yaml).")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--origins-only", description = "start the four origins alone, for a fleet of instances to"
                + " send to (see README, Running a fleet)")
        boolean originsOnly;

        @Override
        public Integer call() throws Exception {
            String yaml;
            try (InputStream in = Main.class.getClassLoader().getResourceAsStream(DEMO_CONFIG)) {
                if (in == null) {
                    throw new IOException(DEMO_CONFIG + " is missing from the jar");
                }
                yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path stateFile = Path.of(DEMO_STATE_FILE).toAbsolutePath();
            BasculeConfig cfg;
            try {
                cfg = loader().parse(yaml, DEMO_CONFIG, stateFile);
            } catch (ConfigException e) {
                printErrors(e, new PrintWriter(System.err, true, StandardCharsets.UTF_8));
                return 1;
            }
            Transport transport = Transport.best();
            MultiThreadIoEventLoopGroup originLoops = transport.newEventLoopGroup(1, "demo-origin");
            List<DemoOrigin> origins = new ArrayList<>();
            try {
                for (UpstreamConfig upstream : cfg.upstreams().values()) {
                    String color = upstream.name().startsWith("web-") ? upstream.name().substring(4) : upstream.name();
                    int i = 1;
                    for (ServerConfig server : upstream.servers()) {
                        String name = String.format("%s-%02d", color, i++);
                        InetSocketAddress at = new InetSocketAddress(
                                InetAddress.getByName(server.address().host()), server.address().port());
                        origins.add(DemoOrigin.start(name, at, originLoops, transport.serverChannelType()));
                    }
                }
                String demoYaml = yaml;
                Bascule bascule = originsOnly ? null
                        : Bascule.start(cfg, 0, () -> loader().parse(demoYaml, DEMO_CONFIG, stateFile));
                if (bascule == null) {
                    origins.forEach(o -> System.out.println("demo origin " + o.name() + " on " + o.address()));
                } else {
                    printDemoHelp(cfg, origins);
                }
                awaitShutdown(() -> {
                    if (bascule != null) {
                        bascule.shutdownGracefully();
                    }
                    origins.forEach(DemoOrigin::close);
                    originLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                });
                return 0;
            } catch (Exception e) {
                origins.forEach(DemoOrigin::close);
                originLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                System.err.println("demo failed to start: " + e.getMessage()
                        + " (is another program using ports 8080 or 9001-9004?)");
                return 1;
            }
        }

        private static void printDemoHelp(BasculeConfig cfg, List<DemoOrigin> origins) {
            String proxy = cfg.listeners().get(0).address().toString();
            String port = proxy.substring(proxy.lastIndexOf(':') + 1);
            StringBuilder sb = new StringBuilder();
            sb.append("\nBascule demo is running. Origins:");
            for (DemoOrigin o : origins) {
                sb.append(' ').append(o.name()).append('@').append(o.address().getPort());
            }
            sb.append("\nTry:\n")
                    .append("  curl -H 'Host: blue.labs.test' localhost:").append(port).append("/\n")
                    .append("  curl -H 'Host: green.labs.test' localhost:").append(port).append("/\n")
                    .append("  curl -H 'Host: labs.test' localhost:").append(port).append("/green/hello\n")
                    .append("  for i in 1 2 3 4 5 6; do curl -s localhost:").append(port)
                    .append("/ | grep -o '<h1>.*</h1>'; done   # blue-01 twice as often as blue-02\n")
                    .append("  curl -H 'Host: app.labs.test' localhost:").append(port)
                    .append("/        # split 90/10 between blue and green; see README, Blue/green and canary releases\n")
                    .append("Config: ").append(DEMO_CONFIG).append(". Runtime changes (splits, rollouts, servers) are")
                    .append(" kept in ").append(DEMO_STATE_FILE).append(" here; delete it to start afresh.")
                    .append(" Stop with Ctrl-C.\n");
            System.out.println(sb);
        }
    }

    static void printErrors(ConfigException e, PrintWriter err) {
        for (ConfigError error : e.errors()) {
            err.println(error);
        }
        err.flush();
    }

    /**
     * Blocks until SIGTERM or SIGINT, then runs {@code stop} and returns, so the command exits with status 0
     * (the JVM's own signal handling would exit with 143). A shutdown hook still runs {@code stop} when the JVM is
     * stopped any other way.
     */
    private static void awaitShutdown(Runnable stop) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stopOnce = () -> {
            if (stopped.compareAndSet(false, true)) {
                stop.run();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> signalled.countDown());
            } catch (IllegalArgumentException e) {
                // not available on this platform: the shutdown hook below covers it
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stopOnce, "bascule-shutdown"));
        signalled.await();
        stopOnce.run();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"bascule " + p.getProperty("version", "unknown")};
        }
    }
}
