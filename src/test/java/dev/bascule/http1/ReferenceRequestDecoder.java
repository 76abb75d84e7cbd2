package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request parsing the frontend used before {@link Http1RequestDecoder}: Netty's {@code HttpRequestDecoder}
 * with the frontend's config, a {@link RequestHeadScanner} over the bytes of every head, and {@code HTTP/1.x}
 * above 1.1 read as 1.1; the decoding half of the old {@code FrontendCodec.RequestDecoder}, without what the codec
 * adds on top of any decoder (pipeline depth, underscore names, pause after an upgrade, read-ahead). A head the
 * scanner refuses fails as the old codec failed it, and everything after a failure is dropped.
 *
 * <p>Threading: confined to one channel.
 */
final class ReferenceRequestDecoder extends HttpRequestDecoder implements RequestDecoderDifferential.OddNames {
    private final RequestHeadScanner scanner = new RequestHeadScanner();
    private boolean inHead = true;
    private boolean discard;
    /** Whether the scanner saw odd names, per head handed on (it is reset before the head leaves decode). */
    private final Map<Object, Boolean> oddNamesByHead = new IdentityHashMap<>();

    ReferenceRequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    public Map<Object, Boolean> oddNamesByHead() {
        return oddNamesByHead;
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        initialLine[2] = http1Version(initialLine[2]);
        return super.createMessage(initialLine);
    }

    /** RFC 9110 2.5, as the old {@code RequestValidator.http1Version}. */
    static String http1Version(String version) {
        if (version.length() == 8 && version.charAt(7) > '1' && version.charAt(7) <= '9'
                && version.startsWith("HTTP/1.")) {
            return "HTTP/1.1";
        }
        return version;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (discard) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        int from = buffer.readerIndex();
        int oldSize = out.size();
        super.decode(ctx, buffer, out);
        int to = buffer.readerIndex();
        String problem = null;
        boolean netty = false;
        for (int i = oldSize; i < out.size() && !netty; i++) {
            netty = out.get(i) instanceof HttpObject o && o.decoderResult().isFailure();
        }
        if (inHead && to > from && !netty) {
            problem = scanner.scan(buffer, from, to);
        }
        for (int i = oldSize; i < out.size(); i++) {
            Object msg = out.get(i);
            boolean failed = ((HttpObject) msg).decoderResult().isFailure();
            if (msg instanceof HttpRequest request) {
                inHead = false;
                if (!failed && problem == null && !scanner.done()) {
                    problem = "request head not scanned";
                }
                if (!failed && problem != null) {
                    request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
                    failed = true;
                }
                oddNamesByHead.put(request, scanner.oddNames());
            }
            if (msg instanceof LastHttpContent && !failed) {
                inHead = true;
                scanner.reset();
            }
            if (failed) {
                discard = true;
                while (out.size() > i + 1) {
                    ReferenceCountUtil.release(out.remove(out.size() - 1));
                }
                return;
            }
        }
        if (problem != null) {
            discard = true;
            HttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            r.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
            out.add(r);
        }
    }
}
