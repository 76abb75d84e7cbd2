package dev.bascule.fleet;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an up-to-date copy of every key under one prefix: reads them all, then watches from the revision read, and
 * hands the whole copy to its listener after every change. When the watch fails (etcd unreachable for longer than
 * the client rides out, a member that lost its leader, a revision compacted away while it was gone), it reads
 * everything again, with backoff, and watches from there: a change missed is never lost, and the listener sees the
 * state of one revision at a time.
 *
 * <p>Threading: everything runs on {@code thread}, the fleet's own; the listener is called there.
 */
final class PrefixFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrefixFollower.class);
    private static final long FIRST_RETRY_MILLIS = 200;
    /** Short: after an outage, the fleet catches up within about this long of etcd answering again. */
    private static final long MAX_RETRY_MILLIS = 1_000;
    private static final long READ_TIMEOUT_MILLIS = 5_000;

    /** One key's value as the follower last saw it. */
    record Entry(String value, long modRevision, long lease) {}

    /** The keys under the prefix (without it) as of one revision. */
    record View(Map<String, Entry> entries, long revision) {}

    private final Client client;
    private final String prefix;
    private final String what;
    private final ScheduledExecutorService thread;
    private final Consumer<View> listener;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long revision;
    private Watch.Watcher watcher;
    /** Bumped at each re-read, so the callbacks of an abandoned watch are ignored. */
    private int generation;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean closed;

    /**
     * @param what names the followed thing in log lines ("the shared config")
     * @param listener gets the whole copy after the first read and after each change
     */
    PrefixFollower(Client client, String prefix, String what, ScheduledExecutorService thread,
            Consumer<View> listener) {
        this.client = client;
        this.prefix = prefix;
        this.what = what;
        this.thread = thread;
        this.listener = listener;
    }

    /**
     * Reads everything again and watches from there, as after a failed watch: when etcd answers again after an
     * outage, a watch the client kept waiting may resume late, and a read costs one request.
     */
    void resync() {
        thread.execute(() -> {
            retryMillis = FIRST_RETRY_MILLIS;
            read();
        });
    }

    /** Starts following, on the fleet's thread. */
    void start() {
        thread.execute(this::read);
    }

    private void read() {
        if (closed) {
            return;
        }
        int gen = ++generation;
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        client.getKVClient().get(FleetKeys.bytes(prefix), GetOption.builder().isPrefix(true).build())
                .orTimeout(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .whenCompleteAsync((response, failure) -> {
                    if (gen != generation || closed) {
                        return;
                    }
                    if (failure != null) {
                        retryLater("read", failure);
                        return;
                    }
                    readDone(response, gen);
                }, thread);
    }

    private void readDone(GetResponse response, int gen) {
        entries.clear();
        for (KeyValue kv : response.getKvs()) {
            entries.put(FleetKeys.text(kv.getKey()).substring(prefix.length()), entry(kv));
        }
        revision = response.getHeader().getRevision();
        retryMillis = FIRST_RETRY_MILLIS;
        deliver();
        WatchOption options = WatchOption.builder().isPrefix(true).withRevision(revision + 1)
                .withRequireLeader(true).build();
        watcher = client.getWatchClient().watch(FleetKeys.bytes(prefix), options, Watch.listener(
                r -> thread.execute(() -> changed(r, gen)),
                e -> thread.execute(() -> failed(e, gen))));
    }

    private void changed(WatchResponse response, int gen) {
        if (gen != generation || closed) {
            return;
        }
        boolean any = false;
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            if (kv.getModRevision() <= revision && event.getEventType() != WatchEvent.EventType.DELETE) {
                continue; // already in the copy (a watch resumed by the client may replay)
            }
            String key = FleetKeys.text(kv.getKey()).substring(prefix.length());
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                any |= entries.remove(key) != null;
            } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                entries.put(key, entry(kv));
                any = true;
            }
            revision = Math.max(revision, kv.getModRevision());
        }
        if (response.getHeader() != null) {
            revision = Math.max(revision, response.getHeader().getRevision());
        }
        if (any) {
            deliver();
        }
    }

    private void failed(Throwable e, int gen) {
        if (gen != generation || closed) {
            return;
        }
        if (e instanceof CompactedException) {
            log.info("fleet: {} missed changes that etcd compacted away; reading it whole again", what);
        }
        retryLater("watch", e);
    }

    private void retryLater(String step, Throwable e) {
        log.debug("fleet: {} {} failed, retrying in {} ms: {}", what, step, retryMillis, e.toString());
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
        thread.schedule(this::read, delay, TimeUnit.MILLISECONDS);
    }

    private void deliver() {
        try {
            listener.accept(new View(Collections.unmodifiableMap(new LinkedHashMap<>(entries)), revision));
        } catch (RuntimeException e) {
            log.warn("fleet: {} changed, and taking the change failed: {}", what, e.toString(), e);
        }
    }

    private static Entry entry(KeyValue kv) {
        return new Entry(FleetKeys.text(kv.getValue()), kv.getModRevision(), kv.getLease());
    }

    /** Stops watching; on the fleet's thread. */
    @Override
    public void close() {
        thread.execute(() -> {
            closed = true;
            generation++;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        });
    }
}
