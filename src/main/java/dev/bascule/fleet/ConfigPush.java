package dev.bascule.fleet;

import dev.bascule.config.ClusterConfig;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./bascule push}: stores a validated config as the fleet's new version. The text is stored as written, so
 * every instance reads the file the operator wrote (comments included); the key's mod revision is the version.
 *
 * <p><b>Riding out an election.</b> A put that reaches a member while the cluster has no leader is not refused at
 * once: the member forwards it to a leader that is gone, and etcd answers only at its request timeout (5 s plus two
 * election timeouts) with "request timed out", or with "no leader" / "leader changed". So each attempt waits at
 * most {@link #ATTEMPT_BEYOND_DIAL_MILLIS} beyond the dial timeout (longer than an election takes, shorter than
 * etcd's request timeout), and a failure that means "try again" (gRPC {@code UNAVAILABLE} or {@code
 * DEADLINE_EXCEEDED}, an attempt without an answer) is tried again after a short backoff, until {@link
 * #RETRY_WINDOW_MILLIS} beyond the dial timeout have passed; then the last error is reported. Any other refusal
 * (authentication, permission, a value over etcd's request size, a full database) is reported at once.
 *
 * <p>An attempt given up may still have been committed. So every attempt after the first is a transaction that
 * puts the text only when the key does not hold it already, and otherwise answers the revision that holds it: the
 * fleet gets one version per push, not two identical ones (the first attempt is a plain put, so pushing the same
 * file again on purpose still makes a new version).
 *
 * <p>Threading: blocks the calling thread (a command-line tool's) until stored or given up.
 */
public final class ConfigPush {
    /** How long a push keeps trying, beyond the dial timeout, while etcd answers "try again". */
    static final long RETRY_WINDOW_MILLIS = 15_000;
    /** How long one attempt waits, beyond the dial timeout. */
    static final long ATTEMPT_BEYOND_DIAL_MILLIS = 1_000;
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private ConfigPush() {}

    /**
     * @return the revision the config was stored at
     * @throws IOException when etcd cannot be reached within the retry window, or refuses the write
     */
    public static long push(ClusterConfig cluster, String yamlText) throws IOException, InterruptedException {
        long dialMillis = cluster.etcd().dialTimeout().toMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dialMillis + RETRY_WINDOW_MILLIS);
        try (Client client = EtcdClients.of(cluster.etcd())) {
            ByteSequence key = new FleetKeys(cluster.keyPrefix()).config();
            ByteSequence value = FleetKeys.bytes(yamlText);
            long backoff = FIRST_BACKOFF_MILLIS;
            for (int attempt = 1; ; attempt++) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                CompletableFuture<Long> stored = attempt == 1 ? put(client, key, value)
                        : putUnlessHeld(client, key, value);
                Throwable failure;
                try {
                    return stored.get(Math.max(1, Math.min(left, dialMillis + ATTEMPT_BEYOND_DIAL_MILLIS)),
                            TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    failure = unwrap(e);
                    if (!tryAgain(failure)) {
                        throw refused(cluster, failure, attempt);
                    }
                } catch (TimeoutException e) {
                    failure = e;
                }
                left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= backoff) {
                    throw refused(cluster, failure, attempt);
                }
                Thread.sleep(backoff);
                backoff = Math.min(2 * backoff, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static CompletableFuture<Long> put(Client client, ByteSequence key, ByteSequence value) {
        return client.getKVClient().put(key, value).thenApply(r -> r.getHeader().getRevision());
    }

    /** Puts {@code value} unless the key holds it already; either way, the revision at which it holds it. */
    private static CompletableFuture<Long> putUnlessHeld(Client client, ByteSequence key, ByteSequence value) {
        return client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(value)))
                .Then(Op.get(key, GetOption.DEFAULT))
                .Else(Op.put(key, value, PutOption.DEFAULT))
                .commit()
                .thenApply(ConfigPush::revision);
    }

    private static long revision(TxnResponse r) {
        if (r.isSucceeded() && !r.getGetResponses().isEmpty() && !r.getGetResponses().get(0).getKvs().isEmpty()) {
            return r.getGetResponses().get(0).getKvs().get(0).getModRevision();
        }
        return r.getHeader().getRevision();
    }

    /**
     * Whether etcd's answer means "the cluster cannot take a write right now": no leader, a leader change, a
     * request that timed out in etcd, a member that cannot be reached. gRPC's {@code UNAVAILABLE} is what etcd
     * answers for all of these (etcd's {@code rpctypes}: ErrGRPCNoLeader, ErrGRPCLeaderChanged, ErrGRPCTimeout...).
     */
    static boolean tryAgain(Throwable failure) {
        if (EtcdFailures.tls(failure) != null) {
            return false; // gRPC says UNAVAILABLE, but the next handshake fails the same way
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof EtcdException e) {
                return e.getErrorCode() == ErrorCode.UNAVAILABLE || e.getErrorCode() == ErrorCode.DEADLINE_EXCEEDED;
            }
            Status.Code code = Status.fromThrowable(t).getCode();
            if (code != Status.Code.UNKNOWN) {
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            }
        }
        return false;
    }

    private static IOException refused(ClusterConfig cluster, Throwable cause, int attempts) {
        String why = EtcdFailures.describe(cause);
        return new IOException("etcd " + cluster.etcd().endpoints() + " did not take the config"
                + (attempts > 1 ? " (" + attempts + " attempts)" : "") + ": " + why, cause);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
