package dev.bascule.proxy;

import dev.bascule.control.ListenerSettings;
import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.Protocol;
import dev.bascule.control.ProxySettings;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ListenerStats;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SniHandler;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Builds the pipeline of each accepted client connection, with the limits of the snapshot live at accept time.
 *
 * <p>Threading: called on the new connection's event loop; stateless apart from shared immutable references.
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    /** Request line slack beyond the URI: method, spaces and "HTTP/1.1". */
    private static final int REQUEST_LINE_SLACK = 32;

    private final LiveSnapshot live;
    private final OriginConnector origins;
    /** The configured address of the socket, under which the snapshot lists its settings. */
    private final InetSocketAddress address;
    /** The settings to use until a snapshot lists this socket's address with its TLS mode; see below. */
    private final ListenerSettings untilPublished;
    /** Counts connections in and out of the server's open connections, within the connection limits. */
    private final ConnectionLimiter limiter;

    FrontendInitializer(LiveSnapshot live, OriginConnector origins, InetSocketAddress address,
            ListenerSettings untilPublished, ConnectionLimiter limiter) {
        this.live = live;
        this.origins = origins;
        this.address = address;
        this.untilPublished = untilPublished;
        this.limiter = limiter;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        Snapshot snapshot = live.get();
        ProxySettings settings = snapshot.settings();
        ListenerSettings mode = snapshot.listener(address);
        if (mode == null || mode.tls() != untilPublished.tls()) {
            // A reload binds its new sockets (and re-binds those switching between plain and TLS) before it
            // publishes its snapshot: a connection accepted in between gets the settings the socket was opened for.
            mode = untilPublished;
        }
        ConnectionLimiter.Counted counted = limiter.tryAdmit(ch, settings.maxConnections(),
                settings.maxConnectionsPerIp());
        if (counted == ConnectionLimiter.Counted.REFUSED) {
            ch.close(); // over max_connections or max_connections_per_ip: refused before a byte is read
            return;
        }
        ConnectionAccount account = new ConnectionAccount(mode.stats(), limiter, counted, ch);
        ch.closeFuture().addListener(account); // counts it out, of the limiter too
        ClientTimeouts timeouts = new ClientTimeouts(settings);
        ChannelPipeline p = ch.pipeline();
        if (mode.tls()) {
            // Picks the certificate from the ClientHello's SNI, then replaces itself with the SslHandler. A failed
            // handshake closes only this connection.
            p.addLast("tls", new SniHandler(mode.certificates()));
            p.addLast("tls-account", account);
        }
        ListenerSettings listener = mode;
        Consumer<Boolean> install = http2 -> {
            if (http2) {
                account.settled(ListenerStats.H2);
                Http2Pipeline.install(ch, live, origins, listener, settings);
            } else {
                account.settled(ListenerStats.HTTP1);
                addHttp1(p, listener, settings, timeouts);
                p.remove(timeouts); // the codec has taken them over, clocks running
            }
        };
        // Until the protocol is settled the timeouts are a handler of their own, in front of the one that settles
        // it; once HTTP/1.1 is, the codec feeds them.
        if (mode.tls() && mode.protocols().contains(Protocol.H2)) {
            p.addLast("timeouts", timeouts);
            p.addLast("alpn", new AlpnSelector(install));
        } else if (!mode.tls() && mode.protocols().contains(Protocol.H2C)) {
            p.addLast("timeouts", timeouts);
            p.addLast("sniff", new PrefaceSniffer(install));
        } else {
            account.settled(ListenerStats.HTTP1);
            addHttp1(p, mode, settings, timeouts);
        }
    }

    /**
     * The HTTP/1.1 pipeline: the codec (which also paces reads, one decoded message per read, and feeds the
     * timeouts), then redirect, or HSTS and the frontend.
     */
    private void addHttp1(ChannelPipeline p, ListenerSettings mode, ProxySettings settings, ClientTimeouts timeouts) {
        p.addLast("http", new FrontendCodec(decoderConfig(settings), FrontendCodec.DEFAULT_MAX_PIPELINE_DEPTH,
                settings.underscoreHeaders(), timeouts));
        if (!mode.tls() && mode.redirectHttps()) {
            p.addLast("redirect", new HttpsRedirectHandler(timeouts, live, mode.stats()));
            return;
        }
        if (mode.tls() && mode.hsts() != null) {
            p.addLast("hsts", new HstsHandler(mode.hsts()));
        }
        p.addLast("frontend", new FrontendHandler(live, origins, mode.tls() ? "https" : "http", timeouts,
                mode.stats()));
    }

    /**
     * Netty's request decoder at its strictest (RFC 9112): CRLF line endings only, Content-Length with
     * Transfer-Encoding refused, one Content-Length, validated header names and values.
     */
    static HttpDecoderConfig decoderConfig(ProxySettings settings) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxUriLength() + REQUEST_LINE_SLACK)
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(65536)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }
}
