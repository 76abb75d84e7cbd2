package dev.bascule.testing;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved HTTP/2 client on a connection of its own that sends GETs one after another until stopped, for
 * tests that attack the proxy on another connection: it counts its 200s and records anything else (another
 * status, a reset, a timeout, a GOAWAY).
 */
public final class Bystander implements AutoCloseable {
    private final H2cClient client;
    private final String path;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    /**
     * @param maxRequests an upper bound, so a stuck test cannot loop forever
     */
    public Bystander(InetSocketAddress proxy, String path, int maxRequests) throws InterruptedException {
        this.client = new H2cClient(proxy);
        this.path = path;
        this.thread = new Thread(() -> run(maxRequests), "bystander");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(int maxRequests) {
        for (int n = 0; n < maxRequests && running.get(); n++) {
            try {
                H2cClient.Response r = client.get("app.test", path);
                if (r.status() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add("status " + r.status());
                }
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }

    public int ok() {
        return ok.get();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Whether the proxy told this client to go away (it must not, while another client is the abuser). */
    public boolean goneAway() {
        return client.goAway.isDone();
    }

    /** Stops the loop (after the request in flight), waits for it, and closes the connection. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(15_000);
        client.close();
    }
}
