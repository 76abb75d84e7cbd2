package dev.bascule.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The open client connections of a server, across its listeners: what a graceful shutdown walks. Each event loop
 * keeps its own list, linked through the connections' {@link ConnectionAccount}s, so a connection costs its account
 * two links and no entry in a shared table, and opening or closing one touches nothing another loop writes but the
 * count. Unlike Netty's {@code ChannelGroup}, it adds no close listener of its own: the account counts the
 * connection in and out, from the connection's one close listener.
 *
 * <p>Threading: a loop's list is touched only on that loop; {@link #forEach} and {@link #closeAll} run their work
 * there. The count is read from any thread.
 */
final class OpenConnections {
    private final AtomicInteger count = new AtomicInteger();
    /** One list per event loop that accepted a connection; a server's loops are few and fixed. */
    private final ConcurrentHashMap<EventExecutor, LoopList> loops = new ConcurrentHashMap<>();

    /** The connections of one event loop, newest first. */
    private static final class LoopList {
        private final EventExecutor loop;
        private ConnectionAccount first;

        LoopList(EventExecutor loop) {
            this.loop = loop;
        }

        void forEach(Consumer<Channel> action) {
            for (ConnectionAccount a = first; a != null; ) {
                ConnectionAccount next = a.next; // the action may close it, and closing unlinks it
                action.accept(a.channel());
                a = next;
            }
        }
    }

    /** Links a connection in; on its event loop. */
    void add(ConnectionAccount account) {
        EventExecutor loop = account.channel().eventLoop();
        LoopList list = loops.get(loop);
        if (list == null) {
            list = loops.computeIfAbsent(loop, LoopList::new);
        }
        account.next = list.first;
        if (list.first != null) {
            list.first.previous = account;
        }
        list.first = account;
        count.incrementAndGet();
    }

    /** Unlinks a connection added before; on its event loop. */
    void remove(ConnectionAccount account) {
        LoopList list = loops.get(account.channel().eventLoop());
        if (list == null || account.previous == null && list.first != account) {
            return; // not linked in
        }
        if (account.previous != null) {
            account.previous.next = account.next;
        } else {
            list.first = account.next;
        }
        if (account.next != null) {
            account.next.previous = account.previous;
        }
        account.previous = null;
        account.next = null;
        count.decrementAndGet();
    }

    int size() {
        return count.get();
    }

    boolean isEmpty() {
        return count.get() == 0;
    }

    /**
     * Runs {@code action} on every connection open when its loop gets to it, on that loop; returns without waiting.
     * A loop that has stopped has nothing left to walk.
     */
    void forEach(Consumer<Channel> action) {
        for (LoopList list : loops.values()) {
            onLoop(list, () -> list.forEach(action));
        }
    }

    /** The connections open now, gathered from each loop; for tests and diagnostics, not the data path. */
    List<Channel> list() throws InterruptedException {
        List<Channel> all = new ArrayList<>();
        for (LoopList list : loops.values()) {
            if (list.loop.inEventLoop()) {
                list.forEach(all::add);
                continue;
            }
            try {
                all.addAll(list.loop.submit(() -> {
                    List<Channel> mine = new ArrayList<>();
                    list.forEach(mine::add);
                    return mine;
                }).get(5, TimeUnit.SECONDS));
            } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
                // a stopped loop has no connection left; a stuck one is not waited for
            }
        }
        return all;
    }

    /**
     * Closes every connection still open and waits up to {@code timeoutMillis} in all for them to close; for the end
     * of a shutdown. A connection may take longer: an HTTP/2 one lingers for its client's last bytes, or waits for
     * its streams. Those are cut off when the event loops stop.
     */
    void closeAll(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        forEach(Channel::close);
        awaitEmpty(deadline);
    }

    /** Waits until no connection is open or {@code deadline} ({@link System#nanoTime()}) passes; true when none. */
    boolean awaitEmpty(long deadline) {
        while (!isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10); // control thread, during shutdown only
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return isEmpty();
    }

    private static void onLoop(LoopList list, Runnable work) {
        if (list.loop.inEventLoop()) {
            work.run();
            return;
        }
        try {
            list.loop.execute(work);
        } catch (RejectedExecutionException e) {
            // the loop has stopped, and closed its connections as it did
        }
    }
}
