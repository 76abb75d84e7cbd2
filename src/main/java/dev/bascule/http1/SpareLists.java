package dev.bascule.http1;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * A thread's few spare lists of messages, for work lists a connection needs only while a message is on its way
 * (the pieces of one written message, the requests decoded and not yet handed on). Borrowing one for that time,
 * instead of keeping one per connection, means an idle connection holds none, while a busy thread allocates none:
 * the lists in use on a thread at once are few (a codec's queue and a writer's pieces, nested at most a few deep).
 *
 * <p>Threading: per thread; a list belongs to its borrower until given back, and is given back empty.
 */
public final class SpareLists {
    /** Spares kept per thread; more in use at once are made and dropped. */
    private static final int KEPT = 4;
    private static final int CAPACITY = 8;

    private static final FastThreadLocal<SpareLists> SPARES = new FastThreadLocal<>() {
        @Override
        protected SpareLists initialValue() {
            return new SpareLists();
        }
    };

    @SuppressWarnings("unchecked")
    private final ArrayList<Object>[] lists = new ArrayList[KEPT];
    private int count;

    private SpareLists() {
    }

    /** An empty list, this thread's spare when it has one. */
    public static ArrayList<Object> take() {
        SpareLists s = SPARES.get();
        if (s.count == 0) {
            return new ArrayList<>(CAPACITY);
        }
        ArrayList<Object> list = s.lists[--s.count];
        s.lists[s.count] = null;
        return list;
    }

    /** Gives back an empty list; the caller must not touch it afterwards. */
    public static void giveBack(ArrayList<Object> list) {
        if (!list.isEmpty()) {
            throw new IllegalStateException("a list given back must be empty: " + list.size() + " left");
        }
        SpareLists s = SPARES.get();
        if (s.count < KEPT) {
            s.lists[s.count++] = list;
        }
    }
}
