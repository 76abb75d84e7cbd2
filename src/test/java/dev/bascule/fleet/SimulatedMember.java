package dev.bascule.fleet;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lightweight fleet member for {@link FleetScaleSimulation}: one etcd client, one thread, one follower of the
 * upstreams prefix; in the heartbeat phase also its own record, written each second, and a follower of everyone's.
 *
 * <p>Threading: its followers and heartbeat run on its own thread, as an instance's fleet thread; what the
 * simulation reads from other threads is volatile or atomic.
 */
final class SimulatedMember implements AutoCloseable {
    final int index;
    final Client client;
    final ScheduledExecutorService thread;
    final PrefixFollower follower;
    /** The follower's latest copy; written on its thread, read at the end. */
    volatile Map<String, PrefixFollower.Entry> last = Map.of();
    private final long threadId;
    // ---- heartbeat phase; the follower's thread only, but for the counters and what is read at the end ----
    final AtomicLong beats = new AtomicLong();
    final AtomicLong nodeViews = new AtomicLong();
    volatile Map<String, NodeInfo> nodes = Map.of();
    volatile SimulationProbe nodesProbe;
    private PrefixFollower nodesFollower;
    private ScheduledFuture<?> beating;
    private long leaseId;

    SimulatedMember(int index, String endpoint, List<SimulationProbe> probes) throws Exception {
        this.index = index;
        client = Client.builder().endpoints(endpoint).build();
        thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sim-watcher-" + index,
                true));
        follower = new PrefixFollower(client, FleetScaleSimulation.PREFIX, "simulated watcher " + index, thread,
                view -> {
                    last = view.entries();
                    for (SimulationProbe p : probes) {
                        p.offer(index, view.entries());
                    }
                });
        threadId = thread.submit(() -> Thread.currentThread().getId()).get();
    }

    /** CPU time of the follower's thread so far. */
    long cpuNanos() {
        return Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId));
    }

    /** Follows {@code nodes/} and writes this member's record each second, as an instance does. */
    void startBeating() throws Exception {
        thread.submit(() -> {
            nodesFollower = new PrefixFollower(client, FleetScaleSimulation.NODES_PREFIX, "simulated nodes " + index,
                    thread, this::nodesChanged);
            nodesFollower.start();
            beating = thread.scheduleWithFixedDelay(this::beat, 0, Fleet.HEARTBEAT_MILLIS,
                    TimeUnit.MILLISECONDS);
        }).get();
    }

    void stopBeating() throws Exception {
        thread.submit(() -> {
            beating.cancel(false);
            nodesFollower.close();
        }).get();
    }

    /** As Fleet's heartbeat: renew the record's lease (or take one), then write the record under it. */
    private void beat() {
        CompletableFuture<Long> lease = leaseId != 0
                ? client.getLeaseClient().keepAliveOnce(leaseId).thenApply(r -> leaseId)
                : client.getLeaseClient().grant(10).thenApply(r -> r.getID());
        long now = System.currentTimeMillis();
        NodeInfo me = new NodeInfo("sim-" + index, "127.0.0.1:" + (20_000 + index), now - 60_000, now, 42,
                null, 0, "0.1.0-SNAPSHOT");
        lease.thenCompose(id -> {
            try {
                return client.getKVClient().put(FleetKeys.bytes(FleetScaleSimulation.NODES_PREFIX + "sim-" + index),
                        ByteSequence.from(FleetScaleSimulation.NODE_JSON.writeValueAsBytes(me)),
                        PutOption.builder().withLeaseId(id).build()).thenApply(r -> id);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }).whenCompleteAsync((id, failure) -> {
            if (failure == null) {
                leaseId = id;
                beats.incrementAndGet();
            } else {
                leaseId = 0;
            }
        }, thread);
    }

    /** As Fleet's: every record parsed again at each change. */
    private void nodesChanged(PrefixFollower.View view) {
        Map<String, NodeInfo> next = new TreeMap<>();
        for (Map.Entry<String, PrefixFollower.Entry> e : view.entries().entrySet()) {
            try {
                next.put(e.getKey(), FleetScaleSimulation.NODE_JSON.readValue(e.getValue().value(), NodeInfo.class));
            } catch (IOException bad) {
                // not counted
            }
        }
        nodes = next;
        nodeViews.incrementAndGet();
        SimulationProbe p = nodesProbe;
        if (p != null && next.size() >= p.seenAfter.length()) {
            p.mark(index);
        }
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
        thread.shutdown();
        thread.awaitTermination(5, TimeUnit.SECONDS);
        client.close();
    }
}
