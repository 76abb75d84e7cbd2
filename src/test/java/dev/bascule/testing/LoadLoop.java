package dev.bascule.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous GET load from several client threads, each on its own keep-alive connection, until stopped or until
 * each loop has sent its {@code maxRequests}. Counts answers by origin (the {@code x-origin} header) and every
 * failure: a status other than 200, or a broken connection; a {@link #timed} load also keeps each answered
 * request's time.
 */
public final class LoadLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final Map<String, AtomicInteger> byOrigin = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Each 200's time from sending the request to reading the whole response, in nanoseconds; null: not kept. */
    private final Queue<Long> durations;

    /**
     * @param request the raw request each loop sends again and again (keep-alive)
     * @param maxRequests an upper bound on requests per loop, so a stuck test cannot run forever
     */
    public LoadLoop(InetSocketAddress proxy, String request, int loops, int maxRequests) {
        this(proxy, request, loops, maxRequests, false);
    }

    /** A load that also keeps the time of each answered request ({@link #durationsNanos}). */
    public static LoadLoop timed(InetSocketAddress proxy, String request, int loops, int maxRequests) {
        return new LoadLoop(proxy, request, loops, maxRequests, true);
    }

    private LoadLoop(InetSocketAddress proxy, String request, int loops, int maxRequests, boolean timed) {
        this.durations = timed ? new ConcurrentLinkedQueue<>() : null;
        for (int i = 0; i < loops; i++) {
            Thread t = new Thread(() -> run(proxy, request, maxRequests), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(InetSocketAddress proxy, String request, int maxRequests) {
        RawHttp c = null;
        try {
            for (int n = 0; n < maxRequests && running.get(); n++) {
                if (c == null) {
                    c = new RawHttp(proxy);
                }
                RawHttp.Response r;
                long sent = System.nanoTime();
                try {
                    r = c.exchange(request);
                } catch (IOException e) {
                    failures.add("connection: " + e);
                    c.close();
                    c = null;
                    continue;
                }
                if (r.status() == 200) {
                    if (durations != null) {
                        durations.add(System.nanoTime() - sent);
                    }
                    ok.incrementAndGet();
                    String origin = r.header("x-origin");
                    byOrigin.computeIfAbsent(origin == null ? "?" : origin, k -> new AtomicInteger()).incrementAndGet();
                } else {
                    failures.add("status " + r.status() + ": " + r.bodyText().trim());
                }
                if ("close".equalsIgnoreCase(r.header("connection"))) {
                    c.close();
                    c = null;
                }
            }
        } catch (IOException e) {
            failures.add("connect: " + e);
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a test client
                }
            }
        }
    }

    public int ok() {
        return ok.get();
    }

    public int okFrom(String origin) {
        AtomicInteger n = byOrigin.get(origin);
        return n == null ? 0 : n.get();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The time of each request answered 200 so far, in nanoseconds; only for a {@link #timed} load. */
    public List<Long> durationsNanos() {
        if (durations == null) {
            throw new IllegalStateException("not a timed load");
        }
        return List.copyOf(durations);
    }

    /**
     * Waits up to {@code millis} for every loop to send its {@code maxRequests} (without stopping them early, as
     * {@link #close} does); false when some are still going.
     */
    public boolean awaitDone(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (Thread t : threads) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left > 0) {
                t.join(left);
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Stops the loops and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
