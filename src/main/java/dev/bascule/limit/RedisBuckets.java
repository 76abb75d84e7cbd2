package dev.bascule.limit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis that holds the buckets of global rate limits: one connection (Lettuce multiplexes every check on it),
 * the state of an outage, and the count of requests decided without Redis.
 *
 * <p>Lettuce runs on resources of its own (2 I/O and 2 computation threads, the least it accepts; the I/O threads
 * start with the first connection, so one runs), never on the proxy's event loops: a slow Redis, its reconnects and
 * its command timeouts cannot delay a proxy pipeline. Commands are refused at once while the connection is down
 * ({@code REJECT_COMMANDS}), not queued; those in flight give up after {@link #COMMAND_TIMEOUT}; at most {@link
 * #MAX_IN_FLIGHT} are outstanding. The connection is reopened 10 ms to 1 s after a drop; a first connect that fails
 * is tried again every second.
 *
 * <p><b>Outage.</b> Every request decided without Redis (no answer within the timeout, an error, no connection) is
 * counted. {@link #MISSES_FOR_OUTAGE} of them in a row, with no answer in time between them, or one while the
 * connection is down, start an outage: a warning is logged, and from then on requests are decided locally at once,
 * without waiting, but for one request every {@link #PROBE_INTERVAL_NANOS} that still asks Redis. When such a
 * request (or any) gets its answer in time, the outage ends with an info line. A lone slow answer (a pause of the
 * JVM or of Redis) is thus counted but neither logged nor the start of an outage, so the log does not flap.
 *
 * <p>Threading: {@link #ask}, {@link #shouldAsk}, {@link #fellBack} and {@link #answeredInTime} from any thread (the
 * event loops): atomics and volatile fields only, and the warning or info line once per outage. {@link #open} and
 * {@link #close} from the control thread; closing stops Lettuce on a short-lived thread of its own.
 */
public final class RedisBuckets implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBuckets.class);
    /** During an outage, one request this often still asks Redis, to see whether it is back. */
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Requests in a row decided without Redis that make an outage (one is enough while disconnected). */
    static final int MISSES_FOR_OUTAGE = 3;
    /** A command in flight longer than this is given up (its request was decided long before). */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Commands outstanding at once; more are refused at once (and decided locally). */
    static final int MAX_IN_FLIGHT = 10_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final long RECONNECT_SECONDS = 1;

    private final RedisSettings settings;
    private final LongAdder fallbacks;
    private final ClientResources resources;
    private final RedisURI uri;
    private final RedisClient client;
    /** Null until connected; written by a Lettuce thread once, read by the event loops. */
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile RedisAsyncCommands<String, String> commands;
    private volatile boolean closed;
    private final AtomicBoolean outage = new AtomicBoolean();
    /** Requests decided without Redis since the last answer in time. */
    private final AtomicLong misses = new AtomicLong();
    /** During an outage: when the next request may ask Redis (in the event loops' nanoTime). */
    private final AtomicLong nextProbeNanos = new AtomicLong();
    /** Whether a failed first connect was logged, so retries every second do not repeat it. */
    private final AtomicBoolean connectFailureLogged = new AtomicBoolean();

    private RedisBuckets(RedisSettings settings, LongAdder fallbacks) {
        this.settings = settings;
        this.fallbacks = fallbacks;
        // Lettuce chooses a native transport of its own and, with io_uring beside epoll on the class path, warns at
        // every start that it chose epoll. Its few connections to Redis need nothing more: epoll, and no warning.
        System.getProperties().putIfAbsent("io.lettuce.core.iouring", "false");
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.uri = redisUri(settings);
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(MAX_IN_FLIGHT)
                .maintNotificationsConfig(MaintNotificationsConfig.disabled())
                .timeoutOptions(TimeoutOptions.builder().fixedTimeout(COMMAND_TIMEOUT).build())
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .build());
    }

    /**
     * Starts connecting and returns at once; until connected, checks are decided locally.
     *
     * @param fallbacks where requests decided without Redis are counted
     */
    public static RedisBuckets open(RedisSettings settings, LongAdder fallbacks) {
        RedisBuckets buckets = new RedisBuckets(settings, fallbacks);
        buckets.connect();
        return buckets;
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(StringCodec.UTF8, uri)
                .whenComplete((c, failure) -> {
                    if (failure != null) {
                        if (connectFailureLogged.compareAndSet(false, true)) {
                            log.warn("global rate limits: cannot connect to {} ({}); trying again every {}s, limits"
                                    + " are applied locally until then", settings, message(failure), RECONNECT_SECONDS);
                        }
                        if (!closed) {
                            resources.eventExecutorGroup().schedule(this::connect, RECONNECT_SECONDS, TimeUnit.SECONDS);
                        }
                        return;
                    }
                    if (closed) {
                        c.closeAsync();
                        return;
                    }
                    commands = c.async();
                    connection = c;
                    commands.scriptLoad(GcraScript.SOURCE); // EVALSHA finds it; after a Redis restart EVAL loads it
                    log.info("global rate limits: connected to {}", settings);
                });
    }

    private static RedisURI redisUri(RedisSettings settings) {
        RedisURI.Builder uri = RedisURI.Builder.redis(settings.host(), settings.port())
                .withDatabase(settings.database())
                .withTimeout(COMMAND_TIMEOUT);
        if (settings.password() != null) {
            uri = settings.username() == null ? uri.withPassword((CharSequence) settings.password())
                    : uri.withAuthentication(settings.username(), settings.password());
        }
        return uri.build();
    }

    public RedisSettings settings() {
        return settings;
    }

    /** Whether the connection is up now (it may still be too slow). */
    public boolean connected() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    /**
     * Whether a request should ask Redis now: always outside an outage; during one, only the first request after
     * each {@link #PROBE_INTERVAL_NANOS}, and never while the connection is down.
     */
    public boolean shouldAsk(long nowNanos) {
        if (!connected()) {
            return false;
        }
        if (!outage.get()) {
            return true;
        }
        long next = nextProbeNanos.get();
        return nowNanos - next >= 0 && nextProbeNanos.compareAndSet(next, nowNanos + PROBE_INTERVAL_NANOS);
    }

    /**
     * Runs the GCRA script on {@code key}; the answer goes to {@code answer} with {@code tag}. EVALSHA first; on
     * NOSCRIPT (Redis restarted, or its scripts were flushed) the same check goes again as EVAL, which loads it.
     *
     * @param args the route's interval and tolerance in microseconds, as {@link GcraScript} reads them
     */
    public void ask(String key, String[] args, long tag, BucketAnswer answer) {
        RedisAsyncCommands<String, String> c = commands;
        if (c == null) {
            answer.failed(tag, new IllegalStateException("not connected to " + settings.address()));
            return;
        }
        Check check = new Check(c, key, args, tag, answer);
        RedisFuture<Long> future = c.evalsha(GcraScript.SHA1, ScriptOutputType.INTEGER, check.keys, args);
        future.whenComplete(check);
    }

    /**
     * Counts a request decided without Redis; the {@link #MISSES_FOR_OUTAGE}th in a row (or any while the connection
     * is down) starts an outage, logged once.
     *
     * @param cause why Redis did not decide: a failure, or null when it did not answer in time
     */
    public void fellBack(long nowNanos, Throwable cause) {
        fallbacks.increment();
        if (outage.get()) {
            return;
        }
        boolean connected = connected();
        if ((misses.incrementAndGet() < MISSES_FOR_OUTAGE && connected) || !outage.compareAndSet(false, true)) {
            return;
        }
        nextProbeNanos.set(nowNanos + PROBE_INTERVAL_NANOS);
        String why = cause != null ? "failed: " + message(cause)
                : !connected ? "is not connected"
                : "did not answer within " + TimeUnit.NANOSECONDS.toMicros(settings.timeoutNanos()) / 1000.0 + "ms";
        log.warn("global rate limits: {} {}; each instance now applies its share of every global limit"
                + " (the limit divided by the live instances) until Redis answers in time again", settings.address(),
                why);
    }

    /** A check was answered within the timeout: ends an outage, if one is under way (logged once). */
    public void answeredInTime() {
        if (misses.get() != 0) {
            misses.set(0);
        }
        if (outage.get() && outage.compareAndSet(true, false)) {
            log.info("global rate limits: {} answers in time again; global limits are counted in Redis again",
                    settings.address());
        }
    }

    /** Whether an outage is under way: checks are decided locally, but for a probe now and then. */
    public boolean inOutage() {
        return outage.get();
    }

    /** Closes the connection and stops Lettuce's threads without waiting; checks in flight fail, decided locally. */
    @Override
    public void close() {
        closed = true; // the client's shutdown closes the connection
        // On a thread of its own: the caller does not wait, and Lettuce's threads are not asked to stop themselves
        // (a listener that finds its executor gone is logged as an error). The quiet periods let a reconnect under
        // way finish its callbacks first.
        Thread closing = new Thread(() -> {
            try {
                client.shutdown(100, 2_000, TimeUnit.MILLISECONDS);
                resources.shutdown(100, 2_000, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("global rate limits: closing the connection to {}", settings.address(), e);
            }
        }, "redis-close");
        closing.setDaemon(true);
        closing.start();
    }

    private static String message(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * One check in flight: the Lettuce future's completion, which hands the answer on, or sends the script again
     * as EVAL once when Redis did not know it.
     */
    private static final class Check implements BiConsumer<Long, Throwable> {
        private final RedisAsyncCommands<String, String> commands;
        private final String[] keys;
        private final String[] args;
        private final long tag;
        private final BucketAnswer answer;
        private boolean sentWholeScript;

        Check(RedisAsyncCommands<String, String> commands, String key, String[] args, long tag, BucketAnswer answer) {
            this.commands = commands;
            this.keys = new String[] {key};
            this.args = args;
            this.tag = tag;
            this.answer = answer;
        }

        @Override
        public void accept(Long waitMicros, Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RedisNoScriptException && !sentWholeScript) {
                sentWholeScript = true;
                RedisFuture<Long> again = commands.eval(GcraScript.SOURCE, ScriptOutputType.INTEGER, keys, args);
                again.whenComplete(this);
                return;
            }
            if (cause != null) {
                answer.failed(tag, cause);
            } else if (waitMicros == null) {
                answer.failed(tag, new IllegalStateException("the rate-limit script answered nothing"));
            } else {
                answer.answered(tag, waitMicros);
            }
        }
    }
}
