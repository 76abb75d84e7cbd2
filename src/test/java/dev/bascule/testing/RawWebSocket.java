package dev.bascule.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * WebSocket bytes written and read by hand (RFC 6455 section 5), for tests that need what the JDK client does
 * not give: a browser's exact handshake, bytes sent with it, a client that stops reading.
 */
public final class RawWebSocket {
    /** The key of RFC 6455's own example (section 1.3). */
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private RawWebSocket() {}

    /** A handshake as Firefox sends it: {@code Connection: keep-alive, Upgrade}. */
    public static String firefoxHandshake(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Origin: http://app.test\r\n\r\n";
    }

    /** The {@code Sec-WebSocket-Accept} an origin must answer {@code key} with (RFC 6455 4.2.2). */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A masked client text frame of fewer than 126 bytes. */
    public static byte[] clientText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81); // FIN, text
        f.write(0x80 | payload.length); // masked, 7-bit length
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }

    /**
     * The head of a masked client binary frame with a 64-bit length and an all-zero mask key, so the payload
     * follows as it is.
     */
    public static byte[] clientBinaryHead(long length) {
        byte[] h = new byte[14];
        h[0] = (byte) 0x82; // FIN, binary
        h[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return h; // mask key 0, 0, 0, 0
    }

    /** Reads one unmasked server text frame of fewer than 126 bytes. */
    public static String serverText(RawHttp c) throws IOException {
        byte[] head = c.readExactly(2);
        if ((head[0] & 0xff) != 0x81 || (head[1] & 0x80) != 0 || (head[1] & 0x7f) > 125) {
            throw new IOException("not a short unmasked text frame: " + (head[0] & 0xff) + " " + (head[1] & 0xff));
        }
        return new String(c.readExactly(head[1] & 0x7f), StandardCharsets.UTF_8);
    }

    /** Reads the head of an unmasked server binary frame with a 64-bit length; returns the length. */
    public static long serverBinaryHead(RawHttp c) throws IOException {
        byte[] h = c.readExactly(10);
        if ((h[0] & 0xff) != 0x82 || (h[1] & 0xff) != 127) {
            throw new IOException("not a long unmasked binary frame: " + (h[0] & 0xff) + " " + (h[1] & 0xff));
        }
        long length = 0;
        for (int i = 2; i < 10; i++) {
            length = (length << 8) | (h[i] & 0xff);
        }
        return length;
    }
}
