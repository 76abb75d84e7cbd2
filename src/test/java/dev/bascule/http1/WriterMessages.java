package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random outbound message sequences for {@link WriterDifferential}: one to three messages in a row, each a
 * full message or a head with contents (plain buffers, {@code HttpContent}, empty ones) and a last content with or
 * without trailers; chunked and fixed-length, 1xx, 204, 205, 304, HEAD answers; fields in Netty's headers or as
 * received bytes ({@link Http1Headers}, some then removed, set or added as the proxy does); and now and then a
 * message out of its place. The same seed makes the same messages, with fresh buffers.
 */
final class WriterMessages {
    private static final HttpResponseStatus[] STATUSES = {
        HttpResponseStatus.CONTINUE, HttpResponseStatus.SWITCHING_PROTOCOLS, HttpResponseStatus.valueOf(103),
        HttpResponseStatus.OK, HttpResponseStatus.OK, HttpResponseStatus.CREATED, HttpResponseStatus.NO_CONTENT,
        HttpResponseStatus.RESET_CONTENT, HttpResponseStatus.PARTIAL_CONTENT, HttpResponseStatus.NOT_MODIFIED,
        HttpResponseStatus.NOT_FOUND, HttpResponseStatus.BAD_GATEWAY, new HttpResponseStatus(299, "Okay then"),
        new HttpResponseStatus(200, "caf\u00e9"), new HttpResponseStatus(404, ""),
    };
    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.OPTIONS, HttpMethod.CONNECT,
        HttpMethod.valueOf("PURGE"),
    };
    private static final String[] TARGETS = {
        "/", "", "/a/b?c=d", "*", "example.test:443", "http://h", "http://h?x=1", "http://h/p?x=/", "https://h:80?q",
        "http://h?q/r", "/caf\u00e9", "/\u20ac", "http://", "a://b", "/p?http://x",
    };
    private static final HttpVersion[] VERSIONS = {
        HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0, HttpVersion.valueOf("HTTP/1.2"),
    };
    private static final String[][] FIELDS = {
        {"Content-Type", "text/plain"}, {"Content-Length", "5"}, {"Content-Length", "0"},
        {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip, chunked"}, {"transfer-encoding", "CHUNKED"},
        {"Transfer-Encoding", "chunked, gzip"}, {"Connection", "keep-alive"}, {"Sec-WebSocket-Version", "13"},
        {"Upgrade", "websocket"}, {"X-Latin", "caf\u00e9"}, {"X-Empty", ""}, {"Set-Cookie", "a=b; Path=/"},
        {"Host", "app.test"}, {"Via", "1.1 bascule"}, {"ETag", "\"x\""},
    };
    private static final String[] SEPARATORS = {": ", ":", ":\t", ":  "};
    private static final int[] SIZES = {0, 0, 1, 5, 100, 1023, 1024, 1025, 4000, 70000};

    private final Random random;
    private final boolean responses;
    private final List<Object> out = new ArrayList<>();
    private final List<Boolean> answersHead = new ArrayList<>();
    private boolean ownFields;

    private WriterMessages(long seed, boolean responses) {
        this.random = new Random(seed);
        this.responses = responses;
    }

    /** The messages for {@code seed}. */
    static WriterDifferential.Messages make(long seed, boolean responses) {
        WriterMessages m = new WriterMessages(seed, responses);
        m.ownFields = m.random.nextBoolean();
        int count = 1 + m.random.nextInt(3);
        for (int i = 0; i < count; i++) {
            m.exchange();
        }
        boolean[] heads = new boolean[m.answersHead.size()];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = m.answersHead.get(i);
        }
        return new WriterDifferential.Messages(m.out, heads, m.ownFields);
    }

    private void exchange() {
        if (random.nextInt(40) == 0) {
            out.add(misplaced()); // content before a head, or a head in a body: refused
        }
        HttpHeaders headers = fields();
        HttpVersion version = VERSIONS[random.nextInt(VERSIONS.length)];
        int shape = random.nextInt(3);
        if (shape == 0) {
            ByteBuf content = content();
            HttpHeaders trailers = random.nextBoolean() ? trailers() : new DefaultHttpHeaders();
            HttpMessage full = responses
                    ? new DefaultFullHttpResponse(version, status(), content, headers, trailers)
                    : new DefaultFullHttpRequest(version, method(), target(), content, headers, trailers);
            noteHead(full);
            out.add(full);
            return;
        }
        HttpMessage head = responses ? new DefaultHttpResponse(version, status(), headers)
                : new DefaultHttpRequest(version, method(), target(), headers);
        noteHead(head);
        out.add(head);
        int pieces = random.nextInt(4);
        for (int i = 0; i < pieces; i++) {
            switch (random.nextInt(4)) {
                case 0 -> out.add(content()); // a plain buffer
                case 1 -> out.add(Unpooled.EMPTY_BUFFER);
                default -> out.add(new DefaultHttpContent(content()));
            }
        }
        switch (random.nextInt(4)) {
            case 0 -> out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            case 1 -> out.add(new DefaultLastHttpContent(content()));
            default -> out.add(new DefaultLastHttpContent(content(), trailers()));
        }
    }

    private void noteHead(HttpMessage head) {
        if (head instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            answersHead.add(random.nextInt(5) == 0);
        }
    }

    private Object misplaced() {
        return random.nextBoolean() ? new DefaultHttpContent(content())
                : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers());
    }

    private HttpResponseStatus status() {
        return STATUSES[random.nextInt(STATUSES.length)];
    }

    private HttpMethod method() {
        return METHODS[random.nextInt(METHODS.length)];
    }

    private String target() {
        return TARGETS[random.nextInt(TARGETS.length)];
    }

    /** Bytes of a random size, sometimes behind a reader index that is not 0, heap or direct. */
    private ByteBuf content() {
        int size = SIZES[random.nextInt(SIZES.length)];
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        int skip = random.nextInt(3) == 0 ? 7 : 0;
        ByteBuf buf = random.nextBoolean() ? Unpooled.buffer(size + skip) : Unpooled.directBuffer(size + skip);
        return buf.writeZero(skip).writeBytes(bytes).skipBytes(skip);
    }

    private HttpHeaders fields() {
        int n = random.nextInt(6);
        if (!ownFields) {
            HttpHeaders h = new DefaultHttpHeaders(false);
            for (int i = 0; i < n; i++) {
                String[] f = FIELDS[random.nextInt(FIELDS.length)];
                h.add(f[0], f[1]);
            }
            return h;
        }
        return received(n, true);
    }

    private HttpHeaders trailers() {
        int n = random.nextInt(3);
        if (!ownFields) {
            HttpHeaders h = new DefaultHttpHeaders(false);
            for (int i = 0; i < n; i++) {
                h.add("X-Trailer-" + i, "v" + random.nextInt(100));
            }
            return h;
        }
        return received(n, false);
    }

    /** A head's fields as Bascule's decoders keep them: the bytes as sent, with the proxy's changes on top. */
    private Http1Headers received(int n, boolean edit) {
        StringBuilder text = new StringBuilder();
        int[] offsets = new int[n * 4];
        for (int i = 0; i < n; i++) {
            String[] f = FIELDS[random.nextInt(FIELDS.length)];
            String name = random.nextBoolean() ? f[0] : f[0].toLowerCase(java.util.Locale.ROOT);
            offsets[4 * i] = text.length();
            text.append(name);
            offsets[4 * i + 1] = text.length();
            text.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
            offsets[4 * i + 2] = text.length();
            text.append(f[1]);
            offsets[4 * i + 3] = text.length();
            text.append(random.nextBoolean() ? "" : " \t").append("\r\n");
        }
        Http1Headers h = new Http1Headers(text.toString().getBytes(StandardCharsets.ISO_8859_1), offsets, n);
        if (edit && random.nextBoolean()) {
            String[] f = FIELDS[random.nextInt(FIELDS.length)];
            switch (random.nextInt(3)) {
                case 0 -> h.remove(f[0]);
                case 1 -> h.set(f[0], "set-" + f[1]);
                default -> h.add("X-Added", "yes");
            }
        }
        return h;
    }
}
