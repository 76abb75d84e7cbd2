package dev.bascule.proxy;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.http1.Http1MessageWriter;
import dev.bascule.http1.Http1RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.function.Predicate;

/**
 * The requests of one client connection as {@link FrontendCodec} decodes them: {@link Http1RequestDecoder}'s
 * messages with what can only be settled here (see the codec), and the book of requests decoded and not yet
 * answered: whether each was a HEAD, how deep the pipeline is, and whether decoding waits for the answer to a
 * request that asked to upgrade.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class FrontendRequests implements Predicate<HttpResponse> {
    private final Http1RequestDecoder decoder;
    private final UnderscoreHeaders underscoreHeaders;
    /**
     * Whether each request decoded and not yet answered was a HEAD, oldest first (a ring of bits): the first 128 in
     * two fields, so that the usual depth needs no array per connection; the rest, for a deeper limit, in one.
     */
    private long heads0;
    private long heads1;
    private final long[] headsBeyond;
    /** How many requests {@link #heads} has room for: the deepest pipeline allowed. */
    private final int depth;
    private int first;
    private int pending;
    private boolean inHead = true;
    /** A request was refused: every byte after it is dropped. */
    private boolean discard;
    /** The request being read asks to upgrade: decoding pauses at its end. */
    private boolean upgradeAsked;
    /** Decoding waits for the answer to a request that asked to upgrade (see {@link #resumeIfAnswered}). */
    private boolean paused;

    FrontendRequests(HttpDecoderConfig config, int maxPipelineDepth, UnderscoreHeaders underscoreHeaders) {
        this.decoder = new Http1RequestDecoder(config);
        this.depth = maxPipelineDepth;
        this.headsBeyond = maxPipelineDepth > 128 ? new long[(maxPipelineDepth - 128 + 63) / 64] : null;
        this.underscoreHeaders = underscoreHeaders;
    }

    /** Whether decoding waits for the answer to a request that asked to upgrade. */
    boolean paused() {
        return paused;
    }

    /**
     * Ends the wait after an upgrade request once it has been answered (without a switch, else the codec would
     * have left the pipeline).
     *
     * @return whether decoding may go on now
     */
    boolean resumeIfAnswered() {
        if (paused && pending == 0) {
            paused = false;
            return true;
        }
        return false;
    }

    /**
     * A final response head goes out: it answers the oldest request.
     *
     * @return whether that request was a HEAD; false for a response to no request (a 408 of Bascule's own)
     */
    boolean answered() {
        if (pending == 0) {
            return false;
        }
        boolean head = isHead(first);
        first = (first + 1) % depth;
        pending--;
        return head;
    }

    private boolean enqueue(boolean head) {
        if (pending == depth) {
            return false;
        }
        int at = (first + pending++) % depth;
        long bit = 1L << at;
        long word = at < 64 ? heads0 : at < 128 ? heads1 : headsBeyond[(at - 128) >>> 6];
        word = head ? word | bit : word & ~bit;
        if (at < 64) {
            heads0 = word;
        } else if (at < 128) {
            heads1 = word;
        } else {
            headsBeyond[(at - 128) >>> 6] = word;
        }
        return true;
    }

    private boolean isHead(int at) {
        long word = at < 64 ? heads0 : at < 128 ? heads1 : headsBeyond[(at - 128) >>> 6];
        return (word & (1L << at)) != 0;
    }

    /**
     * Whether a response head written now has no body whatever its fields say: a 1xx, 204, 205 or 304 by its
     * status, or the final answer to a HEAD request (RFC 9110 9.3.2). A final response answers the oldest request.
     */
    @Override
    public boolean test(HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return Http1MessageWriter.emptyByStatus(response);
        }
        return answered() | Http1MessageWriter.emptyByStatus(response);
    }

    /** Decodes from {@code buffer} what can be, adding the messages to {@code out}. */
    void decode(ByteBuf buffer, List<Object> out) {
        if (paused) {
            return; // the bytes stay in the buffer
        }
        if (discard) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        int head = step(buffer, out);
        if (head >= 0) {
            readAhead(buffer, out, head);
        }
    }

    /** The connection's input ended: decodes what is left, then what the end itself means. */
    void decodeLast(ByteBuf buffer, List<Object> out) {
        if (buffer.isReadable()) {
            decode(buffer, out);
        }
        decoder.endOfInput(buffer, out);
    }

    /**
     * One pass of the decoder, with the checks on what it produced.
     *
     * @return the index in {@code out} of an accepted request head it produced whose body is still to come, else -1
     */
    private int step(ByteBuf buffer, List<Object> out) {
        int oldSize = out.size();
        decoder.decode(buffer, out);
        String problem = null;
        int head = -1;
        for (int i = oldSize; i < out.size(); i++) {
            Object msg = out.get(i);
            boolean failed = ((HttpObject) msg).decoderResult().isFailure();
            if (msg instanceof HttpRequest request) {
                inHead = false;
                upgradeAsked = !failed && request.headers().contains(HttpHeaderNames.UPGRADE);
                if (!failed && decoder.oddNames() && !HeaderRules.screenNames(request.headers(), underscoreHeaders)) {
                    problem = "header name with an underscore";
                }
                if (!enqueue(HttpMethod.HEAD.equals(request.method())) && problem == null) {
                    problem = "too many pipelined requests";
                }
                if (!failed && problem != null) {
                    request.setDecoderResult(DecoderResult.failure(new FrontendCodec.MalformedRequestException(problem)));
                    failed = true;
                }
                head = failed ? -1 : i;
            }
            if (msg instanceof LastHttpContent && !failed) {
                inHead = true;
                head = -1;
                if (upgradeAsked) {
                    upgradeAsked = false;
                    paused = true;
                }
            }
            if (failed) {
                discard = true;
                dropAfter(out, i);
                return -1;
            }
        }
        return head;
    }

    /**
     * Decodes the body of the request head at {@code out[head]} as far as the bytes already read go, before the
     * head is handed on. A body that turns out malformed there (a bad chunk size in the same segment as the head,
     * say) fails the head itself: the request is answered 400 and nothing of it reaches an origin, as with nginx
     * and HAProxy, where a head sent ahead would leave the origin a partial request. Only bytes already in the
     * buffer are looked at, so nothing more is held than the codec's queue would hold anyway; and a request whose
     * body has not arrived costs one decoder pass that finds nothing.
     */
    private void readAhead(ByteBuf buffer, List<Object> out, int head) {
        while (!inHead && !discard && buffer.isReadable()) {
            int readable = buffer.readableBytes();
            int produced = out.size();
            step(buffer, out);
            if (buffer.readableBytes() == readable && out.size() == produced) {
                return; // the rest of this piece of body is still on the wire
            }
        }
        if (discard && !inHead) {
            Throwable cause = ((HttpObject) out.get(out.size() - 1)).decoderResult().cause();
            dropAfter(out, head);
            ((HttpRequest) out.get(head)).setDecoderResult(DecoderResult.failure(
                    new FrontendCodec.MalformedRequestException("malformed body: " + cause)));
        }
    }

    private static void dropAfter(List<Object> out, int index) {
        while (out.size() > index + 1) {
            ReferenceCountUtil.release(out.remove(out.size() - 1));
        }
    }
}
