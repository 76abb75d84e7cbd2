package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The first line of an outbound head (RFC 9112 3 and 4), written byte for byte as Netty's {@code HttpRequestEncoder}
 * and {@code HttpResponseEncoder} write it, for {@link Http1MessageWriter}.
 *
 * <p>Threading: stateless.
 */
enum StartLine {
    /** {@code method SP request-target SP HTTP-version CRLF}. */
    REQUEST {
        @Override
        void write(HttpMessage message, ByteBuf buf) {
            HttpRequest request = (HttpRequest) message;
            ByteBufUtil.copy(request.method().asciiName(), buf);
            String uri = request.uri();
            if (uri.isEmpty()) {
                buf.writeMedium(SPACE_SLASH_SPACE); // RFC 9112 3.2.1: an empty path is sent as "/"
            } else {
                buf.writeByte(' ');
                writeTarget(uri, buf);
                buf.writeByte(' ');
            }
            version(request.protocolVersion(), buf);
            buf.writeShort(CRLF);
        }
    },
    /** {@code HTTP-version SP status-code SP reason-phrase CRLF}. */
    RESPONSE {
        @Override
        void write(HttpMessage message, ByteBuf buf) {
            version(message.protocolVersion(), buf);
            buf.writeByte(' ');
            HttpResponseStatus status = ((HttpResponse) message).status();
            ByteBufUtil.copy(status.codeAsText(), buf);
            buf.writeByte(' ');
            ByteBufUtil.writeAscii(buf, status.reasonPhrase());
            buf.writeShort(CRLF);
        }
    };

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final int SPACE_SLASH_SPACE = (' ' << 16) | ('/' << 8) | ' ';
    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};

    abstract void write(HttpMessage message, ByteBuf buf);

    private static void version(HttpVersion version, ByteBuf buf) {
        if (version == HttpVersion.HTTP_1_1) {
            buf.writeBytes(HTTP_1_1);
        } else {
            ByteBufUtil.writeAscii(buf, version.text());
        }
    }

    /**
     * The target in UTF-8, as Netty writes it; an absolute URI with no path gets one, before its query if it has
     * one (RFC 9112 3.2.2: {@code http://a?q} is sent as {@code http://a/?q}), as Netty does (netty#2732).
     */
    private static void writeTarget(String uri, ByteBuf buf) {
        int start = uri.indexOf("://");
        if (start == -1 || uri.charAt(0) == '/') {
            buf.writeCharSequence(uri, StandardCharsets.UTF_8);
            return;
        }
        start += 3;
        int query = uri.indexOf('?', start);
        if (query == -1) {
            buf.writeCharSequence(uri, StandardCharsets.UTF_8);
            if (uri.lastIndexOf('/') < start) {
                buf.writeByte('/');
            }
        } else if (uri.lastIndexOf('/', query) < start) {
            buf.writeCharSequence(uri.substring(0, query), StandardCharsets.UTF_8);
            buf.writeByte('/');
            buf.writeCharSequence(uri.substring(query), StandardCharsets.UTF_8);
        } else {
            buf.writeCharSequence(uri, StandardCharsets.UTF_8);
        }
    }
}
