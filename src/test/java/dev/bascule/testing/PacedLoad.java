package dev.bascule.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GET requests at a steady pace to one proxy, on one keep-alive connection, until closed or {@code maxRequests}
 * were sent: for rate-limit tests, which need an offered load above the limit but not the most the machine can
 * push. Records when each 200 arrived, counts 429s, and keeps every other outcome (another status, a broken
 * connection) as a failure.
 *
 * <p>Threading: requests on one scheduler thread; the counts may be read from any thread.
 */
public final class PacedLoad implements AutoCloseable {
    private final InetSocketAddress proxy;
    private final String request;
    private final int maxRequests;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger sent = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> admittedAt = new ConcurrentLinkedQueue<>();
    private final AtomicInteger limited = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private RawHttp connection;

    /** @param perSecond requests a second, sent one after the other (a late one does not overlap the next) */
    public PacedLoad(InetSocketAddress proxy, String request, int perSecond, int maxRequests) {
        this.proxy = proxy;
        this.request = request;
        this.maxRequests = maxRequests;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paced-load-" + proxy.getPort());
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(this::once, 0, 1_000_000_000L / perSecond, TimeUnit.NANOSECONDS);
    }

    private void once() {
        if (sent.getAndIncrement() >= maxRequests) {
            scheduler.shutdown();
            return;
        }
        try {
            if (connection == null) {
                connection = new RawHttp(proxy);
            }
            RawHttp.Response r = connection.exchange(request);
            if (r.status() == 200) {
                admittedAt.add(System.nanoTime());
            } else if (r.status() == 429) {
                limited.incrementAndGet();
            } else {
                failures.add("status " + r.status() + ": " + r.bodyText().trim());
            }
            if ("close".equalsIgnoreCase(r.header("connection"))) {
                connection.close();
                connection = null;
            }
        } catch (IOException e) {
            failures.add("connection: " + e);
            connection = null;
        }
    }

    public int admitted() {
        return admittedAt.size();
    }

    /** When each admitted request's response arrived ({@link System#nanoTime}), in order. */
    public List<Long> admittedAt() {
        return List.copyOf(admittedAt);
    }

    public int limited() {
        return limited.get();
    }

    public int answered() {
        return admitted() + limited();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops sending and waits for the request under way. */
    @Override
    public void close() throws InterruptedException, IOException {
        scheduler.shutdown();
        scheduler.awaitTermination(15, TimeUnit.SECONDS);
        if (connection != null) {
            connection.close();
        }
    }
}
