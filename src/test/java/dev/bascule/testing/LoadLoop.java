package dev.bascule.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous GET load from several client threads, each on its own keep-alive connection, until stopped.
 * Counts answers by origin (the {@code x-origin} header) and every failure: a status other than 200, or a
 * broken connection.
 */
public final class LoadLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final Map<String, AtomicInteger> byOrigin = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param request the raw request each loop sends again and again (keep-alive)
     * @param maxRequests an upper bound on requests per loop, so a stuck test cannot run forever
     */
    public LoadLoop(InetSocketAddress proxy, String request, int loops, int maxRequests) {
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
                try {
                    r = c.exchange(request);
                } catch (IOException e) {
                    failures.add("connection: " + e);
                    c.close();
                    c = null;
                    continue;
                }
                if (r.status() == 200) {
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

    /** Stops the loops and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
