package dev.bascule.http1;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Message heads the decoders made, given back once their exchange is over, kept per event loop for the next head
 * decoded there: the message object, its {@link Http1Headers} and their arrays are then filled again rather than
 * allocated per message. A keep-alive request and its response otherwise allocate about half of what the proxy
 * allocates per request.
 *
 * <p>A head is given back only by the one owner that knows nothing refers to it any more, and at most once: the
 * headers carry a mark that a decoder set when it lent them out, and a second give-back, or a head no decoder
 * made, is ignored. A head never given back (a failed exchange, a request that became a tunnel) is collected as
 * usual. Only heads whose bytes fit in {@link #LARGEST} are kept, so one huge head does not stay in memory; an
 * idle connection holds none.
 *
 * <p>Threading: one set per thread; a head is taken and given back on the event loop of its connection.
 */
public final class SpareHeads {
    /** Heads kept per loop, of each kind: a request is out for its exchange's length, a response for much less. */
    private static final int KEPT = 64;
    /** The largest head (in bytes of its field lines) kept for reuse. */
    static final int LARGEST = 4096;
    private static final FastThreadLocal<SpareHeads> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected SpareHeads initialValue() {
            return new SpareHeads();
        }
    };

    private final Kept<DefaultHttpRequest> requests = new Kept<>();
    private final Kept<DefaultHttpResponse> responses = new Kept<>();

    private SpareHeads() {}

    /**
     * Gives back a head that was read by a decoder, once nothing refers to it any more: not its exchange, not a
     * write that has yet to encode it. Anything else passed is ignored.
     */
    public static void giveBack(HttpMessage head) {
        HttpHeaders h = head.headers();
        if (!(h instanceof Http1Headers own) || !own.lend(false) || own.headBytes().length > LARGEST) {
            return;
        }
        SpareHeads spares = OF_THREAD.get();
        // Exactly the classes the decoders make: a full message's content is not the decoder's to reuse.
        if (head.getClass() == DefaultHttpRequest.class) {
            spares.requests.put((DefaultHttpRequest) head);
        } else if (head.getClass() == DefaultHttpResponse.class) {
            spares.responses.put((DefaultHttpResponse) head);
        }
    }

    /** A request head given back on this thread, or null; its headers are to be {@linkplain Http1Headers#reuse reused}. */
    static DefaultHttpRequest request() {
        return OF_THREAD.get().requests.take();
    }

    /** A response head given back on this thread, or null. */
    static DefaultHttpResponse response() {
        return OF_THREAD.get().responses.take();
    }

    /** A stack of at most {@link #KEPT} heads, the last given back taken first (its arrays are likeliest in cache). */
    private static final class Kept<T> {
        private final Object[] heads = new Object[KEPT];
        private int count;

        void put(T head) {
            if (count < KEPT) {
                heads[count++] = head;
            }
        }

        @SuppressWarnings("unchecked")
        T take() {
            if (count == 0) {
                return null;
            }
            T head = (T) heads[--count];
            heads[count] = null;
            return head;
        }
    }
}
