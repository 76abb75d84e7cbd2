package dev.bascule.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link HeaderRules#toUpstream} on a browser's request and {@link HeaderRules#toClient} on a typical origin
 * response.
 *
 * <p>Both rewrite the message in place, so every operation first restores a reused message from a template
 * decoded once by Netty's own decoder (so header names and values have the types the data plane sees). That
 * restoring is measured alone by {@link #copyRequest} and {@link #copyResponse}: the rewrite's own cost, in
 * time and in {@code gc.alloc.rate.norm} under {@code -prof gc}, is the difference between a rewrite benchmark
 * and its copy baseline.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderRewriteBench {
    private static final String PEER_IP = "198.51.100.23";
    /** The default {@code via: bascule}, as the data plane builds it once per connection. */
    private static final Via VIA = new Via("bascule");

    /** A browser's navigation request, 13 headers; with {@code trusted_proxy} also an X-Forwarded-For. */
    static final String[] BROWSER_REQUEST = {
        "GET /shop/products/42?ref=home HTTP/1.1",
        "Host: shop.labs.test",
        "Connection: keep-alive",
        "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
        "Upgrade-Insecure-Requests: 1",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0"
                + " Safari/537.36",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Sec-Fetch-Site: same-origin",
        "Sec-Fetch-Mode: navigate",
        "Sec-Fetch-Dest: document",
        "Referer: http://shop.labs.test/",
        "Accept-Encoding: gzip, deflate, br",
        "Accept-Language: en-US,en;q=0.9",
        "Cookie: session=3f9a1c07d2e84b6c9a1f; theme=dark; _ga=GA1.1.1234567890.1715670000",
    };

    /** A dynamic page from an nginx-like origin, 13 headers. */
    private static final String[] ORIGIN_RESPONSE = {
        "HTTP/1.1 200 OK",
        "Server: nginx/1.24.0",
        "Date: Tue, 14 May 2024 08:00:00 GMT",
        "Content-Type: text/html; charset=utf-8",
        "Content-Length: 5120",
        "Connection: keep-alive",
        "Keep-Alive: timeout=60",
        "Cache-Control: private, max-age=0",
        "ETag: \"5f1-618d1c3a\"",
        "Last-Modified: Tue, 14 May 2024 07:59:00 GMT",
        "Vary: Accept-Encoding",
        "X-Content-Type-Options: nosniff",
        "Set-Cookie: session=3f9a1c07d2e84b6c9a1f; Path=/; HttpOnly; SameSite=Lax",
    };

    /** The decoder settings of the listener ({@link FrontendInitializer#decoderConfig}) that matter here. */
    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);

    @State(Scope.Thread)
    public static class RequestState {
        /**
         * {@code browser}: a client connecting directly, no X-Forwarded-For (the header is set to its address).
         * {@code trusted_proxy}: a trusted proxy's request carrying X-Forwarded-For, which is extended, so a new
         * string is built.
         */
        @Param({"browser", "trusted_proxy"})
        public String client;

        HttpRequest template;
        HttpRequest working;
        boolean trusted;

        @Setup
        public void setUp() {
            trusted = client.equals("trusted_proxy");
            String[] lines = BROWSER_REQUEST;
            if (trusted) {
                lines = Arrays.copyOf(lines, lines.length + 1);
                lines[lines.length - 1] = "X-Forwarded-For: 203.0.113.7";
            }
            template = decode(new HttpRequestDecoder(DECODER), lines);
            working = new DefaultHttpRequest(template.protocolVersion(), template.method(), template.uri(),
                    DECODER.getHeadersFactory());
        }

        HttpRequest fresh() {
            restore(working, template);
            working.setUri(template.uri());
            return working;
        }
    }

    @State(Scope.Thread)
    public static class ResponseState {
        HttpResponse template;
        HttpResponse working;

        @Setup
        public void setUp() {
            template = decode(new HttpResponseDecoder(DECODER), ORIGIN_RESPONSE);
            working = new DefaultHttpResponse(template.protocolVersion(), template.status(),
                    DECODER.getHeadersFactory());
        }

        HttpResponse fresh() {
            restore(working, template);
            return working;
        }
    }

    /** Baseline of {@link #toUpstream}: restoring the request alone. */
    @Benchmark
    public HttpRequest copyRequest(RequestState s) {
        return s.fresh();
    }

    @Benchmark
    public HttpRequest toUpstream(RequestState s) {
        HttpRequest request = s.fresh();
        HeaderRules.toUpstream(request, "/products/42?ref=home", PEER_IP, s.trusted, "http", VIA.element(1, 1));
        return request;
    }

    /** Baseline of {@link #toClient}: restoring the response alone. */
    @Benchmark
    public HttpResponse copyResponse(ResponseState s) {
        return s.fresh();
    }

    @Benchmark
    public boolean toClient(ResponseState s) {
        // an HTTP/1.1 client that keeps its connection, a GET: the common case
        return HeaderRules.toClient(s.fresh(), HttpVersion.HTTP_1_1, true, false, VIA.element(1, 1));
    }

    private static void restore(HttpMessage working, HttpMessage template) {
        HttpHeaders headers = working.headers();
        headers.clear();
        headers.add(template.headers());
        working.setProtocolVersion(template.protocolVersion());
    }

    /** Runs the head through Netty's decoder, as the listener or an origin connection would receive it. */
    @SuppressWarnings("unchecked")
    private static <T extends HttpMessage> T decode(ChannelHandler decoder, String[] lines) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            String head = String.join("\r\n", lines) + "\r\n\r\n";
            channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
            Object message = channel.readInbound();
            if (!(message instanceof HttpMessage m) || m.decoderResult().isFailure()) {
                throw new IllegalStateException("could not decode " + lines[0] + ": " + message);
            }
            return (T) m;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
