package dev.bascule.proxy;

import dev.bascule.limit.BucketAnswer;
import dev.bascule.limit.GlobalRateLimit;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wait for one request's global rate-limit check, for a client connection (HTTP/1) or stream (HTTP/2): the
 * check goes to Redis, and whichever comes first decides, Redis's answer or the route's timeout (5 ms by default),
 * after which the local share decides ({@link GlobalRateLimit#fallback}). Nothing blocks: the timeout is a task on
 * the event loop's scheduler ({@link LazyTimer}, so a busy connection schedules about once per timeout, not once
 * per request), and the answer, which arrives on the Redis client's thread, is handed to the event loop.
 *
 * <p>Each check has a tag; {@link #waiting} holds the tag of the check still undecided, and the answer and the
 * timer each claim it with a compare-and-set, so exactly one of them decides. An answer that comes after the
 * timeout, or after {@link #cancel} (the client left), finds its tag gone and is ignored. Per check this allocates
 * nothing here (the limit's own check object and Lettuce's command aside).
 *
 * <p>Threading: {@link #start}, {@link #cancel}, the timer and {@link #run} on the event loop; {@link #answered}
 * and {@link #failed} on the Redis client's thread (or the event loop, for a command refused at once).
 */
final class GlobalCheck implements BucketAnswer, Runnable {
    /** What {@link #start} returns when the decision comes later, through {@link Decided}. */
    static final long PENDING = -1;
    private static final long NONE = 0;

    /** Who waits: called on the event loop with the decision, at most once per {@link #start}. */
    interface Decided {
        /** @param waitNanos 0 when the request may pass, else the nanoseconds until it would */
        void globalLimitDecided(long waitNanos);
    }

    private final EventExecutor loop;
    private final Decided owner;
    private final LazyTimer timer;
    /** The tag of the check that nobody has claimed yet, or NONE; set by the event loop, claimed by either side. */
    private final AtomicLong waiting = new AtomicLong(NONE);

    // ---- event loop only ----
    private long lastTag;
    /** The tag of the check under way (claimed or not), NONE when none: a claimed answer for another is dropped. */
    private long current = NONE;
    private GlobalRateLimit limit;
    private String key;
    private long deadline;

    // ---- written by the thread that claimed the check, read on the event loop after the hand-off ----
    private long answerTag;
    private long answerWaitMicros;
    private Throwable answerFailure;

    GlobalCheck(EventExecutor loop, Decided owner) {
        this.loop = loop;
        this.owner = owner;
        this.timer = new LazyTimer(loop, this::onTimer);
    }

    /**
     * Starts checking {@code key} against {@code limit}.
     *
     * @return the decision when it is made at once (Redis is out and this is no probe's turn: the local share
     *     decides), in nanoseconds to wait (0: pass); else {@link #PENDING}, and the decision comes through
     *     {@link Decided}
     */
    long start(GlobalRateLimit limit, String key, long nowNanos) {
        long tag = ++lastTag;
        this.limit = limit;
        this.key = key;
        current = tag;
        waiting.set(tag);
        if (!limit.ask(key, tag, this, nowNanos)) {
            waiting.set(NONE);
            current = NONE;
            return limit.fallback(key, nowNanos, null);
        }
        deadline = nowNanos + limit.timeoutNanos();
        timer.armAt(deadline);
        return PENDING;
    }

    /** The request is gone (its client left): no decision will be delivered; a late answer is ignored. */
    void cancel() {
        waiting.set(NONE);
        current = NONE;
        limit = null;
        key = null;
        timer.cancel();
    }

    /** Whether a check is under way and not yet delivered. */
    boolean pending() {
        return current != NONE;
    }

    private void onTimer() {
        long tag = current;
        if (tag == NONE) {
            return;
        }
        long now = timer.now();
        if (now - deadline < 0) {
            timer.armAt(deadline); // an earlier check's timer: this one has time left
            return;
        }
        if (waiting.compareAndSet(tag, NONE)) {
            current = NONE;
            owner.globalLimitDecided(limit.fallback(key, now, null)); // Redis too slow: the local share decides
        }
        // else the answer claimed it first and is on its way to run()
    }

    @Override
    public void answered(long tag, long waitMicros) {
        if (waiting.compareAndSet(tag, NONE)) {
            answerTag = tag;
            answerWaitMicros = waitMicros;
            answerFailure = null;
            loop.execute(this);
        }
    }

    @Override
    public void failed(long tag, Throwable cause) {
        if (waiting.compareAndSet(tag, NONE)) {
            answerTag = tag;
            answerFailure = cause;
            loop.execute(this);
        }
    }

    /** On the event loop: delivers the answer claimed by {@link #answered} or {@link #failed}. */
    @Override
    public void run() {
        if (answerTag != current) {
            return; // cancelled since
        }
        current = NONE;
        Throwable failure = answerFailure;
        answerFailure = null;
        if (failure != null) {
            owner.globalLimitDecided(limit.fallback(key, timer.now(), failure));
            return;
        }
        limit.answeredInTime();
        owner.globalLimitDecided(answerWaitMicros * 1_000);
    }
}
