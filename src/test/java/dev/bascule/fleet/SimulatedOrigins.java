package dev.bascule.fleet;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Servers registering themselves as origins would for {@link FleetScaleSimulation}: a lease each, a put under it,
 * renewals until revoked. One etcd client carries many origins' leases.
 *
 * <p>Threading: any thread; the counters are atomic.
 */
final class SimulatedOrigins implements AutoCloseable {
    /** A server's registration: its key (below the prefix), its lease, and the renewals that keep it. */
    record Registration(String key, long leaseId, CloseableClient keepAlive) {}

    final Client client;
    final AtomicLong renewals;
    final AtomicLong errors;
    final List<CloseableClient> keepAlives = new CopyOnWriteArrayList<>();

    SimulatedOrigins(String endpoint, AtomicLong renewals, AtomicLong errors) {
        this.client = Client.builder().endpoints(endpoint).build();
        this.renewals = renewals;
        this.errors = errors;
    }

    CompletableFuture<Long> grant(long ttlSeconds) {
        return client.getLeaseClient().grant(ttlSeconds).thenApply(g -> g.getID());
    }

    CompletableFuture<Registration> register(String key, long ttlSeconds) {
        return grant(ttlSeconds).thenCompose(id -> put(key, id));
    }

    /**
     * Puts the key (below the prefix, as the followers name it) under the lease and keeps the lease alive (jetcd
     * renews at a third of the TTL).
     */
    CompletableFuture<Registration> put(String key, long leaseId) {
        CloseableClient keepAlive = client.getLeaseClient().keepAlive(leaseId,
                new StreamObserver<LeaseKeepAliveResponse>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        renewals.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.incrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        // the lease is gone or was given up
                    }
                });
        keepAlives.add(keepAlive);
        return putOnly(key, leaseId).thenApply(r -> new Registration(key, leaseId, keepAlive));
    }

    /** Puts the key under the lease without renewing it: the key goes when the lease runs out. */
    CompletableFuture<?> putOnly(String key, long leaseId) {
        return client.getKVClient().put(FleetKeys.bytes(FleetScaleSimulation.PREFIX + key), FleetScaleSimulation.WEIGHT,
                PutOption.builder().withLeaseId(leaseId).build());
    }

    /** Deregisters: stops renewing and revokes the lease, which deletes the key. */
    CompletableFuture<?> revoke(Registration r) {
        r.keepAlive().close();
        keepAlives.remove(r.keepAlive());
        return client.getLeaseClient().revoke(r.leaseId());
    }

    @Override
    public void close() {
        keepAlives.forEach(CloseableClient::close);
        client.close();
    }
}
