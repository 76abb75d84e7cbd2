package dev.bascule.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listener for the JDK's WebSocket client ({@code java.net.http.WebSocket}) that collects whole messages
 * (a {@code String} for text, a {@code byte[]} for binary) and how the connection ended.
 */
public final class WebSocketInbox implements WebSocket.Listener {
    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    /** The close code the peer sent, or -1 when the connection broke without a close frame. */
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private StringBuilder text = new StringBuilder();
    private ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private WebSocket socket;

    /** Opens a WebSocket to {@code uri} with {@code client}; fails if the handshake does not succeed in time. */
    public static WebSocketInbox open(HttpClient client, URI uri) throws Exception {
        WebSocketInbox inbox = new WebSocketInbox();
        inbox.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, inbox).get(10, TimeUnit.SECONDS);
        return inbox;
    }

    public WebSocket socket() {
        return socket;
    }

    /** Sends a text message and waits for the next message that arrives. */
    public Object roundTrip(String message) throws Exception {
        socket.sendText(message, true).get(10, TimeUnit.SECONDS);
        return next();
    }

    /** The next whole message, waiting up to 10 s; null if none came. */
    public Object next() throws InterruptedException {
        return messages.poll(10, TimeUnit.SECONDS);
    }

    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public String closeReason() {
        return closeReason;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text = new StringBuilder();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            messages.add(binary.toByteArray());
            binary = new ByteArrayOutputStream();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
    }
}
