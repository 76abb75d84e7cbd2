package dev.bascule.proxy;

import dev.bascule.origin.OriginConnection;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a small request body while it is forwarded, so an idempotent request can be sent again to another
 * server, or copied to a route's mirror ({@link MirrorCopy}). A body larger than {@link #LIMIT} is not kept: such
 * a request is simply not retried, nor mirrored.
 *
 * <p>Threading: confined to the exchange's event loop. Holds references to pooled buffers until {@link
 * #release()}.
 */
final class ReplayBuffer {
    /** Bodies up to this size can be replayed, as Envoy's and HAProxy's retry buffers allow. */
    static final int LIMIT = 64 * 1024;

    private List<HttpContent> parts = new ArrayList<>(4);
    private int bytes;
    private boolean complete;

    /** Keeps a view of {@code content}; the caller still owns {@code content} itself. */
    void add(HttpContent content) {
        if (parts == null) {
            return;
        }
        bytes += content.content().readableBytes();
        if (bytes > LIMIT) {
            release();
            return;
        }
        parts.add(content.retainedDuplicate());
        if (content instanceof LastHttpContent) {
            complete = true;
        }
    }

    /** Whether the whole body is held. */
    boolean complete() {
        return parts != null && complete;
    }

    /**
     * Another buffer with the same whole body and references of its own, for a copy sent elsewhere ({@link
     * MirrorCopy}); this one is unchanged. Only when {@link #complete()}.
     */
    ReplayBuffer retainedCopy() {
        ReplayBuffer copy = new ReplayBuffer();
        for (int i = 0; i < parts.size(); i++) {
            copy.parts.add(parts.get(i).retainedDuplicate());
        }
        copy.bytes = bytes;
        copy.complete = true;
        return copy;
    }

    /** Sends the held body again; the buffer keeps its own references for a further try. */
    void writeTo(OriginConnection origin) {
        for (int i = 0; i < parts.size(); i++) {
            HttpContent part = parts.get(i);
            if (part instanceof LastHttpContent last) {
                DefaultLastHttpContent copy = new DefaultLastHttpContent(last.content().retainedDuplicate());
                copy.trailingHeaders().set(last.trailingHeaders());
                origin.write(copy);
            } else {
                origin.write(new DefaultHttpContent(part.content().retainedDuplicate()));
            }
        }
        origin.flush();
    }

    void release() {
        if (parts != null) {
            for (HttpContent part : parts) {
                part.release();
            }
            parts = null;
        }
        complete = false;
    }
}
