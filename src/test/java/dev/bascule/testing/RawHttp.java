package dev.bascule.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client that writes exact bytes to a socket and parses what comes back, for tests that need control a
 * normal HTTP client does not give (malformed requests, pipelining, hop-by-hop headers, keep-alive).
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(InetSocketAddress address) throws IOException {
        this(connect(address));
    }

    /** Talks over a socket already connected (a TLS socket, say). */
    public RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 2000);
        return s;
    }

    /**
     * A parsed response; header names are lower-cased; {@code version} as written, such as {@code HTTP/1.1};
     * {@code trailers} the trailer section of a chunked body (empty for none), names lower-cased.
     */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, String version,
            Map<String, String> trailers) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public RawHttp send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    public RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Sends one request and reads one response. */
    public Response exchange(String raw) throws IOException {
        send(raw);
        return read(false);
    }

    /** Reads one response. */
    public Response read(boolean headRequest) throws IOException {
        String statusLine = line();
        while (statusLine.startsWith("HTTP/1.1 100") || statusLine.startsWith("HTTP/1.0 100")) {
            while (!line().isEmpty()) {
                // skip the interim response's headers
            }
            statusLine = line();
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(colon + 1).trim());
        }
        byte[] body;
        Map<String, String> trailers = new LinkedHashMap<>();
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (headRequest || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            for (;;) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    for (String l = line(); !l.isEmpty(); l = line()) {
                        int colon = l.indexOf(':');
                        trailers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
                    }
                    break;
                }
                buf.write(in.readNBytes(size));
                line();
            }
            body = buf.toByteArray();
        } else if (cl != null) {
            int n = Integer.parseInt(cl.get(0));
            body = in.readNBytes(n);
            if (body.length != n) {
                throw new EOFException("body cut short: " + body.length + " of " + n);
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body, parts[0], trailers);
    }

    /** Reads exactly {@code n} bytes (past a response head: the bytes of an upgraded connection). */
    public byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("connection closed after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** True when the server closed the connection (reads EOF within the socket timeout). */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new EOFException("connection closed");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
