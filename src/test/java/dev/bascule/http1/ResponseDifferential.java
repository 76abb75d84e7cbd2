package dev.bascule.http1;

import dev.bascule.origin.OriginPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Feeds the same response bytes, after the same requests, to Bascule's {@link OriginCodec} and to Netty's {@link
 * HttpClientCodec} with the origin configuration, and compares what each makes of them as a transcript: per
 * response its version, status, fields in order, body bytes, trailers; a failure ends a transcript. Where Bascule
 * refuses on purpose what Netty accepts (see {@link ResponseDecoder}), the difference is allowed, explicitly.
 */
final class ResponseDifferential {
    /** The configuration Bascule's origin pool uses. */
    static final HttpDecoderConfig ORIGIN = OriginPool.ORIGIN_DECODER;

    /** Causes of Bascule's deliberate refusals, by their message. */
    private static final String[] DELIBERATE = {
        "not HTTP/1.1 or HTTP/1.0", "the status code is not three digits", "Multiple Content-Length values found",
        "Content-Length is not allowed with Transfer-Encoding (RFC 9112 6.1)",
    };

    private ResponseDifferential() {
    }

    /** What one codec made of the bytes. */
    record Transcript(List<String> events, List<String> failures) {
    }

    static Transcript run(ChannelHandler codec, HttpMethod[] requests, byte[] input, Random pieces) {
        EmbeddedChannel ch = new EmbeddedChannel(codec);
        try {
            for (HttpMethod m : requests) {
                ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, "/"));
            }
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
            int at = 0;
            while (at < input.length) {
                int n = pieces == null ? input.length : 1 + pieces.nextInt(Math.min(input.length - at, 64));
                n = Math.min(n, input.length - at);
                ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                at += n;
            }
            ch.finish();
            List<Object> msgs = new ArrayList<>();
            for (Object o; (o = ch.readInbound()) != null; ) {
                msgs.add(o);
            }
            try {
                return transcript(msgs);
            } finally {
                msgs.forEach(ReferenceCountUtil::release);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static Transcript transcript(List<Object> msgs) {
        List<String> events = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        StringBuilder body = null;
        StringBuilder raw = null;
        for (Object m : msgs) {
            if (m instanceof HttpObject h && h.decoderResult().isFailure()) {
                events.add("FAIL");
                failures.add(String.valueOf(h.decoderResult().cause().getMessage()));
                return new Transcript(events, failures);
            }
            if (m instanceof HttpResponse r) {
                events.add("HEAD " + r.protocolVersion().text() + " " + r.status().code() + " [" + r.status().reasonPhrase()
                        + "]" + fields(r.headers()) + (hixie101(r) ? " HIXIE" : ""));
                body = new StringBuilder();
            }
            if (m instanceof HttpContent c) {
                if (body == null) {
                    body = new StringBuilder();
                }
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                if (m instanceof LastHttpContent last) {
                    events.add("BODY [" + body + "] TRAILERS" + fields(last.trailingHeaders()));
                    body = null;
                }
            }
            if (m instanceof ByteBuf b) {
                if (raw == null) {
                    raw = new StringBuilder();
                }
                raw.append(b.toString(StandardCharsets.ISO_8859_1));
            }
        }
        if (body != null && body.length() > 0) {
            events.add("BODY-CUT [" + body + "]");
        }
        if (raw != null) {
            events.add("RAW [" + raw + "]");
        }
        return new Transcript(events, failures);
    }

    /** Netty reads a body after a 101 to a Hixie-76 WebSocket handshake; Bascule does not (see ResponseDecoder). */
    private static boolean hixie101(HttpResponse r) {
        return r.status().code() == 101 && !r.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT)
                && r.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true);
    }

    private static String fields(HttpHeaders headers) {
        StringBuilder s = new StringBuilder();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            s.append(" | ").append(e.getKey()).append(": ").append(e.getValue());
        }
        return s.toString();
    }

    /**
     * Null when Bascule's transcript matches Netty's, or differs only where Bascule is stricter on purpose; else
     * a description of the difference.
     */
    static String compare(Transcript bascule, Transcript netty) {
        List<String> b = bascule.events();
        List<String> n = netty.events();
        int i = 0;
        while (i < b.size() && i < n.size() && b.get(i).equals(n.get(i))) {
            if (b.get(i).endsWith(" HIXIE")) {
                return null; // allowance: Netty reads the 101's "body", Bascule hands on what follows as raw bytes
            }
            i++;
        }
        if (i == b.size() && i == n.size()) {
            return null;
        }
        if (i < b.size() && b.get(i).endsWith(" HIXIE") && i < n.size()
                && (n.get(i).equals("FAIL") || n.get(i).endsWith(" HIXIE"))) {
            // allowance: Bascule reads no body after the 101, so it drops chunked from its Transfer-Encoding as from
            // any bodiless response's, where Netty frames (or refuses to frame) a body
            return null;
        }
        if (i < b.size() && b.get(i).equals("FAIL") && i < n.size() && n.get(i).startsWith("HEAD ")) {
            String cause = bascule.failures().get(0);
            for (String d : DELIBERATE) {
                if (d.equals(cause)) {
                    return null; // allowance: a deliberate refusal of what Netty accepts (see ResponseDecoder)
                }
            }
        }
        return "differ at event " + i + "\n bascule: " + b + " " + bascule.failures() + "\n netty:   " + n + " "
                + netty.failures();
    }

    /** Both codecs, whole and in random pieces; null if all agree (allowances included), else the difference. */
    static String check(HttpMethod[] requests, byte[] input, long seed) {
        return outcome(requests, input, seed).difference();
    }

    /**
     * What came of one input: the difference (null: none), whether Netty refused it, and whether Bascule's answer
     * differed only by an allowance.
     */
    record Outcome(String difference, boolean nettyRefused, boolean allowed) {
    }

    static Outcome outcome(HttpMethod[] requests, byte[] input, long seed) {
        Transcript netty = run(new HttpClientCodec(ORIGIN, false, false), requests, input, null);
        Transcript whole = run(new OriginCodec(ORIGIN), requests, input, null);
        boolean refused = !netty.failures().isEmpty();
        boolean allowed = !whole.events().equals(netty.events());
        String d = compare(whole, netty);
        if (d != null) {
            return new Outcome("whole: " + d, refused, allowed);
        }
        Transcript nettyPieces = run(new HttpClientCodec(ORIGIN, false, false), requests, input, new Random(seed));
        Transcript pieces = run(new OriginCodec(ORIGIN), requests, input, new Random(seed));
        d = compare(pieces, nettyPieces);
        return new Outcome(d == null ? null : "pieces: " + d, refused, allowed);
    }
}
