package dev.bascule.proxy;

import dev.bascule.control.ProxySettings;
import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.route.AddressRanges;
import dev.bascule.testing.Bytes;
import dev.bascule.upstream.OriginTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stands in for the frontend in the request-parsing property test ({@code RequestFuzzGuardTest}) and fuzz target
 * ({@code RequestParserFuzzTarget}): validates each request head as {@code FrontendHandler} does, collects the
 * body of accepted requests, and stops at the first refusal or failure (the connection would close there). Every
 * message is released; any exception that reaches it is kept in {@link #error} for the harness to report.
 */
final class RequestProbe extends ChannelInboundHandlerAdapter {
    /** Limits loose enough that only the parsing rules, not the sizes, decide. */
    static final ProxySettings SETTINGS = new ProxySettings(new OriginTimeouts(1000, 1000), 1000, 1000, 8192,
            32768, 1000, 1000, 100, 0, 0, AddressRanges.NONE, 1000, "bascule", UnderscoreHeaders.ALLOW,
            100, 3_600_000, 300_000, true, null);
    /** The decoder config the frontend builds from those settings. */
    static final HttpDecoderConfig DECODER = FrontendInitializer.decoderConfig(SETTINGS);

    private final boolean validate;
    final List<Forwarded> forwarded = new ArrayList<>();
    boolean failed;
    Throwable error;
    private HttpRequest current;
    private String target;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    RequestProbe(boolean validate) {
        this.validate = validate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (failed) {
                return;
            }
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                stop(ctx);
                return;
            }
            if (msg instanceof HttpRequest r) {
                onHead(ctx, r);
            }
            if (msg instanceof HttpContent c && current != null) {
                byte[] bytes = new byte[c.content().readableBytes()];
                c.content().getBytes(c.content().readerIndex(), bytes);
                body.writeBytes(bytes);
                if (c instanceof LastHttpContent last) {
                    forwarded.add(new Forwarded(current.method().name(), target, current.headers(),
                            body.toByteArray(), last.trailingHeaders().copy()));
                    current = null;
                    body.reset();
                }
            }
        } catch (RuntimeException e) {
            // Netty would turn this into exceptionCaught; keep it so the harness fails on it.
            error = error == null ? e : error;
            stop(ctx);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest r) {
        if (validate) {
            HttpResponseStatus status = RequestValidator.check(r, SETTINGS.maxUriLength(), SETTINGS.maxHeaderCount());
            if (status != null) {
                stop(ctx);
                return;
            }
            HttpUtilLite.hasBody(r.headers());
        }
        String uri = r.uri();
        if (validate && uri.charAt(0) != '/') {
            uri = RequestValidator.originForm(r);
            if (uri == null) {
                stop(ctx);
                return;
            }
        }
        current = r;
        target = uri;
        if (validate) {
            Admission.declaredLength(r); // parses the Content-Length the validator passed
            HeaderRules.toUpstream(r, uri, "127.0.0.1", false, "http", "1.1 bascule");
            if (!r.headers().contains("host")) {
                r.headers().set("host", "origin.test"); // as Exchange does for an HTTP/1.0 client
            }
        }
    }

    private void stop(ChannelHandlerContext ctx) {
        failed = true;
        current = null;
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        error = error == null ? cause : error;
        stop(ctx);
    }

    /** The bytes as a Java string literal would show them, for failure messages. */
    static String quote(byte[] b) {
        return Bytes.quote(b);
    }

    /** A request as it would go upstream: the head after the frontend's rules, its body and trailers. */
    record Forwarded(String method, String uri, HttpHeaders headers, byte[] body, HttpHeaders trailers) {
        boolean sameRequest(Forwarded o) {
            return method.equals(o.method) && uri.equals(o.uri) && Arrays.equals(body, o.body);
        }

        byte[] serialize() {
            EmbeddedChannel enc = new EmbeddedChannel(new HttpRequestEncoder());
            DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
            head.headers().set(headers);
            enc.writeOutbound(head);
            if (body.length > 0) {
                enc.writeOutbound(new DefaultHttpContent(enc.alloc().heapBuffer(body.length).writeBytes(body)));
            }
            DefaultLastHttpContent last = new DefaultLastHttpContent();
            last.trailingHeaders().set(trailers);
            enc.writeOutbound(last);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuf b;
            while ((b = enc.readOutbound()) != null) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.writeBytes(bytes);
                b.release();
            }
            enc.finishAndReleaseAll();
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return method + " " + uri + " body " + quote(body);
        }
    }
}
