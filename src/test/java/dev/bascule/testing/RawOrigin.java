package dev.bascule.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake origin on an ephemeral loopback port that answers each request head it reads with exact bytes, for
 * malformed responses a real HTTP server would never write. Responses are taken in order from a queue; when it
 * is empty a small valid 200 is sent. Request bodies are not read (tests send bodyless requests). Every byte
 * read is kept ({@link #received}), so a test can show that nothing of a request arrived. Each connection gets a
 * daemon thread; {@link #close} closes everything.
 */
public final class RawOrigin implements AutoCloseable {
    public static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final ServerSocket server;
    private final ConcurrentLinkedQueue<byte[]> responses = new ConcurrentLinkedQueue<>();
    /** Responses after which the connection closes (compared by identity). */
    private final List<byte[]> closeAfter = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Every byte read, from all connections, in the order each connection's thread read them. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    public RawOrigin() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "raw-origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Queues the bytes written for the next request. */
    public RawOrigin then(String response) {
        responses.add(response.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Queues the bytes written for the next request, after which the connection is closed. */
    public RawOrigin thenClose(String response) {
        byte[] r = response.getBytes(StandardCharsets.ISO_8859_1);
        closeAfter.add(r);
        responses.add(r);
        return this;
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    /** Every byte received so far, from all connections (ISO-8859-1). */
    public String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Request lines received, in order. */
    public List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "raw-origin-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (;;) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requestLines.add(head.substring(0, head.indexOf('\r')));
                byte[] response = responses.poll();
                out.write(response != null ? response : OK.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (response != null && closeAfter.stream().anyMatch(r -> r == response)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed the connection: expected in these tests
        }
    }

    private String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        int state = 0; // matched bytes of CRLFCRLF
        while ((c = in.read()) != -1) {
            b.write(c);
            synchronized (received) {
                received.write(c);
            }
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (c == '\r' ? 1 : 0);
            if (state == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            if (b.size() > 65536) {
                throw new IOException("request head too large");
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
