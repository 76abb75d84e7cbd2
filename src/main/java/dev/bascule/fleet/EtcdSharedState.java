package dev.bascule.fleet;

import dev.bascule.control.SharedState;
import dev.bascule.state.ReleaseState;
import dev.bascule.state.StateJson;
import dev.bascule.state.StateStoreException;
import dev.bascule.state.Versioned;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A fleet's runtime state in etcd: one key holding the state file's JSON, whose mod revision is the version. A
 * write is a transaction {@code If(ModRevision(state) == expected) Then(Put)}, and a driver's write adds {@code
 * CreateRevision(driver key) == the revision it won with}, so a deposed driver's late write fails.
 *
 * <p>Threading: any; nothing blocks.
 */
final class EtcdSharedState implements SharedState {
    private static final long CALL_TIMEOUT_MILLIS = 2_000;

    private final Client client;
    private final ByteSequence key;
    private final String keyText;
    private final RolloutDriver driver;
    private final Clock clock;

    EtcdSharedState(Client client, String key, RolloutDriver driver, Clock clock) {
        this.client = client;
        this.key = FleetKeys.bytes(key);
        this.keyText = key;
        this.driver = driver;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Long> write(long expectedVersion, ReleaseState next, boolean fenced) {
        RolloutDriver.Fence fence = fenced ? driver.fence() : null;
        if (fenced && fence == null) {
            return CompletableFuture.failedFuture(new StateStoreException.Conflict(expectedVersion, -1));
        }
        // The JSON's own version only informs a reader; the key's mod revision is the version compared.
        byte[] json = StateJson.write(Math.max(expectedVersion, 0) + 1, clock.instant(), next);
        var txn = client.getKVClient().txn();
        Cmp versionCmp = new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(Math.max(expectedVersion, 0)));
        txn = fence == null ? txn.If(versionCmp)
                : txn.If(versionCmp, new Cmp(fence.key(), Cmp.Op.EQUAL, CmpTarget.createRevision(fence.createRevision())));
        return txn.Then(Op.put(key, ByteSequence.from(json), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit()
                .orTimeout(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(r -> {
                    if (r.isSucceeded()) {
                        return r.getHeader().getRevision();
                    }
                    long current = r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty() ? 0
                            : r.getGetResponses().get(0).getKvs().get(0).getModRevision();
                    throw new CompletionException(new StateStoreException.Conflict(expectedVersion, current));
                });
    }

    @Override
    public CompletableFuture<Versioned> read() {
        return client.getKVClient().get(key).orTimeout(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).thenApply(r -> {
            if (r.getKvs().isEmpty()) {
                return new Versioned(0, ReleaseState.EMPTY);
            }
            return decode(r.getKvs().get(0));
        });
    }

    /** The state a key holds, at its mod revision; an unreadable one is taken as empty (and said so by the caller). */
    static Versioned decode(KeyValue kv) {
        return decode(kv.getValue().getBytes(), kv.getModRevision());
    }

    static Versioned decode(byte[] json, long modRevision) {
        try {
            return new Versioned(modRevision, StateJson.read(json).state());
        } catch (StateStoreException e) {
            throw new CompletionException(e);
        }
    }

    /** By route, then instance: what the fleet's other instances published; replaced whole by the fleet. */
    private volatile java.util.Map<String, java.util.Map<String, dev.bascule.control.RolloutTotals>> published =
            java.util.Map.of();

    void published(java.util.Map<String, java.util.Map<String, dev.bascule.control.RolloutTotals>> next) {
        published = next;
    }

    @Override
    public java.util.Map<String, dev.bascule.control.RolloutTotals> publishedTotals(String route) {
        return published.getOrDefault(route, java.util.Map.of());
    }

    @Override
    public boolean drivesRollouts() {
        return driver.drives();
    }

    @Override
    public String describe() {
        return "etcd key " + keyText;
    }
}
