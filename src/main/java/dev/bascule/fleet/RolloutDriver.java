package dev.bascule.fleet;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects the one instance of a fleet that drives its rollouts, with etcd's election ({@code campaign}) under a
 * lease of its own. The winner's key has a create revision that every write it makes is conditioned on ({@link
 * EtcdSharedState}): when its lease lapses (it died, or lost etcd for longer than the lease), another instance
 * wins and a late write of the old driver fails in etcd, so two drivers never both move a rollout, whatever each
 * believes.
 *
 * <p>Threading: the fleet's thread; {@link #fence()} and {@link #drives()} from any.
 */
class RolloutDriver {
    private static final Logger log = LoggerFactory.getLogger(RolloutDriver.class);
    /** The election lease: a driver that stops renewing it is replaced within this long. */
    static final long LEASE_SECONDS = 5;
    private static final long RENEW_MILLIS = 1_000;

    /** The winner's key and its create revision, which its writes are conditioned on. */
    record Fence(ByteSequence key, long createRevision) {}

    private final Client client;
    private final ByteSequence election;
    private final ByteSequence proposal;
    private final ScheduledExecutorService thread;
    private final String fleet;
    private long lease;
    private volatile Fence fence;
    /** When the lease was last renewed, nanoTime; a driver whose renewals fail stops driving before it lapses. */
    private volatile long renewedAt;
    private boolean closed;

    RolloutDriver(Client client, String electionKey, String node, ScheduledExecutorService thread, String fleet) {
        this.client = client;
        this.election = FleetKeys.bytes(electionKey);
        this.proposal = FleetKeys.bytes(node);
        this.thread = thread;
        this.fleet = fleet;
    }

    void start() {
        thread.execute(this::campaign);
        thread.scheduleWithFixedDelay(this::renew, RENEW_MILLIS, RENEW_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Whether this instance drives now: elected, and its lease renewed recently enough to be alive in etcd. */
    boolean drives() {
        return fence != null && System.nanoTime() - renewedAt < TimeUnit.SECONDS.toNanos(LEASE_SECONDS - 1);
    }

    /** The condition of a driver's write; null when this instance does not drive. */
    Fence fence() {
        return drives() ? fence : null;
    }

    private void campaign() {
        if (closed) {
            return;
        }
        client.getLeaseClient().grant(LEASE_SECONDS).thenCompose(g -> {
            long id = g.getID();
            thread.execute(() -> {
                lease = id;
                renewedAt = System.nanoTime();
            });
            // Completes when this instance wins, which may be much later: while another drives.
            return client.getElectionClient().campaign(election, id, proposal);
        }).whenCompleteAsync((won, failure) -> {
            if (closed) {
                return;
            }
            if (failure != null) {
                log.debug("fleet {}: rollout driver election not entered ({}); trying again", fleet,
                        failure.toString());
                lease = 0;
                thread.schedule(this::campaign, RENEW_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            LeaderKey key = won.getLeader();
            fence = new Fence(key.getKey(), key.getRevision());
            log.info("fleet {}: this instance drives the fleet's rollouts now", fleet);
        }, thread);
    }

    private void renew() {
        if (closed || lease == 0) {
            return;
        }
        long id = lease;
        client.getLeaseClient().keepAliveOnce(id).orTimeout(RENEW_MILLIS, TimeUnit.MILLISECONDS)
                .whenCompleteAsync((r, failure) -> {
                    if (id != lease || closed) {
                        return;
                    }
                    if (failure == null && r.getTTL() > 0) {
                        renewedAt = System.nanoTime();
                        return;
                    }
                    if (failure == null || System.nanoTime() - renewedAt > TimeUnit.SECONDS.toNanos(LEASE_SECONDS)) {
                        // The lease is gone: out of the election (and no longer driving); enter it again.
                        if (fence != null) {
                            log.warn("fleet {}: this instance no longer drives the fleet's rollouts (its election"
                                    + " lease lapsed)", fleet);
                        }
                        fence = null;
                        lease = 0;
                        campaign();
                    }
                }, thread);
    }

    /** Leaves the election: the lease is revoked, so another instance takes over at once. */
    void close() {
        closed = true;
        fence = null;
        if (lease != 0) {
            try {
                client.getLeaseClient().revoke(lease).get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("fleet {}: election lease not revoked: {}", fleet, e.toString());
            }
        }
    }
}
