package dev.bascule.http1;

import dev.bascule.testing.Bytes;
import dev.bascule.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Feeds the same bytes to {@link Http1RequestDecoder} and to the {@link ReferenceRequestDecoder} (Netty's strict
 * decoder plus the old head scanner) and throws an {@link AssertionError} on any difference: whether and where
 * the stream is refused (and with which status the frontend would answer: 400, 414 or 431), and for every request
 * up to there its method, target, version, header fields in order, whether its names are odd, its body and its
 * trailers. Each input runs with the frontend's limits and with tiny ones (so the limits themselves are
 * compared), read whole and read in random pieces.
 *
 * <p>Deliberate differences, each allowed below and only where the input shows its cause:
 * <ol>
 *   <li>a trailer line that starts with a space or tab (obs-fold, RFC 9112 5.2): Netty joins it to the field
 *       before, the new decoder refuses it as it refuses one in the head;
 *   <li>a trailer field Netty drops (Content-Length, Transfer-Encoding, Trailer) whose value has a control
 *       character: Netty drops it unchecked, the new decoder checks every trailer line as a header line;
 *   <li>a head (or trailer section) with a problem and, later in the same read, a too-long line, or no end before
 *       the input ends: the new decoder answers 400 for the first problem as soon as its line is there, whatever
 *       the reads, where the old pair could answer 414 or 431, or still wait (see {@link #firstProblemWins}).
 * </ol>
 * Used by the Jazzer target {@code RequestDecoderDifferentialFuzzTarget} and by {@code
 * RequestDecoderDifferentialTest}.
 */
final class RequestDecoderDifferential {
    /** The frontend's decoder config for its default limits (FrontendInitializer.decoderConfig). */
    static final HttpDecoderConfig FRONTEND = strict(8192 + 32, 32768, 65536);
    /** Limits small enough that random inputs reach them. */
    static final HttpDecoderConfig TINY = strict(40, 80, 7);
    /** Limits no input reaches: what the reference makes of an input when no size masks a problem. */
    private static final HttpDecoderConfig UNLIMITED = strict(1 << 24, 1 << 24, 1 << 24);
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private RequestDecoderDifferential() {
    }

    static HttpDecoderConfig strict(int maxLine, int maxHeaderSize, int maxChunkSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(maxLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunkSize)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    /** Runs every comparison for one input. */
    static void check(byte[] input) {
        for (HttpDecoderConfig config : new HttpDecoderConfig[] {FRONTEND, TINY}) {
            compare(input, config, null);
            compare(input, config, new Random(Arrays.hashCode(input)));
        }
    }

    /** @return what the new decoder made of the input, after checking the reference made the same */
    static Outcome compare(byte[] input, HttpDecoderConfig config, Random pieces) {
        long seed = pieces == null ? 0 : pieces.nextLong();
        Outcome reference = decode(input, new ReferenceRequestDecoder(config), seed, pieces != null);
        Outcome decoded = decode(input, new Recording(config), seed, pieces != null);
        if (!decoded.equals(reference) && !allowed(input, reference, decoded)
                && !firstProblemWins(input, reference, decoded)) {
            throw new AssertionError("decoders differ (limits " + config.getMaxInitialLineLength() + "/"
                    + config.getMaxHeaderSize() + "/" + config.getMaxChunkSize() + ", "
                    + (pieces == null ? "whole" : "in pieces") + ") on " + quote(input)
                    + "\n  reference: " + reference + "\n  new:       " + decoded);
        }
        return decoded;
    }

    /**
     * Deliberate difference 3: the new decoder refuses a head at its first problem in byte order, as soon as the
     * line with it has arrived. The reference, where a problem only its scanner saw was reported after Netty's
     * errors from the same read, and a bad field only when the line after it arrived, could answer 414 or 431 for
     * a too-long line after the problem, or only see the connection close. Allowed when both refuse the same
     * request and the reference itself refuses it with 400 once no limit and no end of input hides the problem.
     */
    private static boolean firstProblemWins(byte[] input, Outcome reference, Outcome decoded) {
        if (!"400".equals(decoded.failure) || "400".equals(reference.failure)
                || !reference.requests.equals(decoded.requests)) {
            return false;
        }
        byte[] longer = Arrays.copyOf(input, input.length + END_OF_HEAD.length);
        System.arraycopy(END_OF_HEAD, 0, longer, input.length, END_OF_HEAD.length);
        Outcome unhidden = decode(longer, new ReferenceRequestDecoder(UNLIMITED), 0, false);
        return "400".equals(unhidden.failure) && complete(unhidden).equals(complete(decoded))
                || allowed(input, unhidden, decoded); // a difference of trailers, hidden by a limit
    }

    private static List<Parsed> complete(Outcome outcome) {
        return outcome.requests.stream().filter(Parsed::complete).toList();
    }

    /** The deliberate differences 1 and 2 listed in the class comment. */
    private static boolean allowed(byte[] input, Outcome reference, Outcome decoded) {
        if (!"400".equals(decoded.failure) || !decoded.failedInBody) {
            return false;
        }
        int k = decoded.requests.size() - 1; // the request whose trailers were refused
        if (k < 0 || k >= reference.requests.size() || decoded.requests.get(k).complete
                || !reference.requests.subList(0, k).equals(decoded.requests.subList(0, k))) {
            return false;
        }
        Parsed theirs = reference.requests.get(k);
        Parsed ours = decoded.requests.get(k);
        if (!theirs.complete || !Arrays.equals(theirs.body, ours.body) || !theirs.head().equals(ours.head())) {
            return false;
        }
        String why = decoded.detail;
        if (FieldLine.problem(-1).equals(why)) {
            return contains(input, "\r\n ") || contains(input, "\r\n\t"); // 1: obs-fold in trailers
        }
        if (FieldLine.problem(-5).equals(why)) {
            for (int i = 0; i < input.length; i++) { // 2: a control character (a bare CR too) in a dropped field
                byte b = input[i];
                boolean crlf = b == '\r' && i + 1 < input.length && input[i + 1] == '\n';
                if (b >= 0 && b < 0x20 && b != '\n' && b != '\t' && !crlf || b == 0x7f) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(byte[] input, String s) {
        outer:
        for (int i = 0; i + s.length() <= input.length; i++) {
            for (int k = 0; k < s.length(); k++) {
                if (input[i + k] != s.charAt(k)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Outcome decode(byte[] input, ChannelHandler decoder, long seed, boolean inPieces) {
        TrackingAllocator alloc = new TrackingAllocator();
        Collector collector = new Collector((OddNames) decoder);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder, collector);
        Random random = new Random(seed);
        try {
            int at = 0;
            while (at < input.length) {
                int n = inPieces ? Math.min(input.length - at, 1 + random.nextInt(64)) : input.length;
                ch.writeInbound(alloc.heapBuffer(n).writeBytes(input, at, n));
                at += n;
            }
            if (ch.finishAndReleaseAll()) {
                throw new AssertionError("messages left in the channel for " + quote(input));
            }
        } catch (RuntimeException e) {
            throw new AssertionError(decoder.getClass().getSimpleName() + " threw on " + quote(input), e);
        }
        if (collector.error != null) {
            throw new AssertionError("exception reached the next handler for " + quote(input), collector.error);
        }
        alloc.assertAllReleased(input);
        return collector.outcome();
    }

    /** Where the frontend learns whether a head's names need its name rules. */
    interface OddNames {
        /** Whether each head handed on, in order, had odd names. */
        Map<Object, Boolean> oddNamesByHead();
    }

    private static final class Recording extends RequestDecoding implements OddNames {
        private final Map<Object, Boolean> odd = new IdentityHashMap<>();

        Recording(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int from = out.size();
            super.decode(ctx, in, out);
            for (int i = from; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest) {
                    odd.put(out.get(i), decoder().oddNames());
                }
            }
        }

        @Override
        public Map<Object, Boolean> oddNamesByHead() {
            return odd;
        }
    }

    /** One request as decoded: its head, its body so far, its trailers once complete. */
    record Parsed(String method, String uri, String version, List<String> headers, boolean oddNames, byte[] body,
            List<String> trailers, boolean complete) {
        List<Object> head() {
            return List.of(method, uri, version, headers, oddNames);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Parsed p && head().equals(p.head()) && Arrays.equals(body, p.body)
                    && Objects.equals(trailers, p.trailers) && complete == p.complete;
        }

        @Override
        public int hashCode() {
            return head().hashCode();
        }

        @Override
        public String toString() {
            return method + " " + uri + " " + version + " " + headers + (oddNames ? " odd" : "") + " body "
                    + quote(body) + (complete ? " trailers " + trailers : " (incomplete)");
        }
    }

    /**
     * What a decoder made of an input: the requests up to the first failure, and that failure as the status the
     * frontend answers it with ({@code closed} for a head cut short by the end of input).
     */
    record Outcome(List<Parsed> requests, String failure, String detail, boolean failedInBody) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && requests.equals(x.requests) && Objects.equals(failure, x.failure);
        }

        @Override
        public int hashCode() {
            return requests.hashCode();
        }

        @Override
        public String toString() {
            return requests + (failure == null ? "" : " then " + failure + " (" + detail + ")");
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final OddNames odd;
        private final List<Parsed> requests = new ArrayList<>();
        private HttpRequest head;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private String failure;
        private String detail;
        private boolean failedInBody;
        Throwable error;

        Collector(OddNames odd) {
            this.odd = odd;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (failure != null) {
                    return;
                }
                HttpObject o = (HttpObject) msg;
                if (o.decoderResult().isFailure()) {
                    Throwable cause = o.decoderResult().cause();
                    failure = status(cause);
                    detail = cause.getMessage();
                    failedInBody = !(msg instanceof HttpRequest);
                    return;
                }
                if (msg instanceof HttpRequest r) {
                    head = r;
                }
                if (msg instanceof HttpContent c) {
                    byte[] bytes = new byte[c.content().readableBytes()];
                    c.content().getBytes(c.content().readerIndex(), bytes);
                    body.writeBytes(bytes);
                    if (c instanceof LastHttpContent last) {
                        requests.add(parsed(fields(last.trailingHeaders()), true));
                        head = null;
                        body.reset();
                    }
                }
            } catch (RuntimeException e) {
                error = error == null ? e : error;
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error = error == null ? cause : error;
        }

        private Parsed parsed(List<String> trailers, boolean complete) {
            return new Parsed(head.method().name(), head.uri(), head.protocolVersion().text(),
                    fields(head.headers()), Boolean.TRUE.equals(odd.oddNamesByHead().get(head)), body.toByteArray(),
                    trailers, complete);
        }

        Outcome outcome() {
            List<Parsed> all = new ArrayList<>(requests);
            if (head != null) {
                all.add(parsed(null, false));
            }
            return new Outcome(all, failure, detail, failedInBody);
        }

        private static String status(Throwable cause) {
            if (cause instanceof TooLongHttpLineException) {
                return "414";
            }
            if (cause instanceof TooLongFrameException) {
                return "431";
            }
            return cause instanceof PrematureChannelClosureException ? "closed" : "400";
        }

        private static List<String> fields(HttpHeaders headers) {
            List<String> list = new ArrayList<>();
            headers.iteratorCharSequence().forEachRemaining(e -> list.add(e.getKey() + ": " + e.getValue()));
            return list;
        }
    }

    static String quote(byte[] b) {
        return Bytes.quote(b);
    }
}
