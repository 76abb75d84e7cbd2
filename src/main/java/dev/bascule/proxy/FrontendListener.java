package dev.bascule.proxy;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.util.Objects;

/**
 * What one listening socket does with the connections it accepts: TLS or not (fixed for the socket's life), and
 * the parts a reload may change in place: the certificates, the HTTPS redirect, the HSTS header. Each new
 * connection reads the current {@link Settings} once; connections already open keep what they started with, so
 * a certificate swap never drops a connection.
 *
 * <p>Threading: {@link #update} from the control thread; {@link #settings} from event loops (volatile).
 */
public final class FrontendListener {
    /**
     * One consistent state of a listener. Immutable.
     *
     * @param certificates SNI host name to server context, with the default certificate for no or an unknown
     *     name; null on a plain listener
     * @param redirectHttps plain listener only: answer every request with 308 to the https URL
     * @param hsts TLS listener only: the Strict-Transport-Security value added to every response; null for none
     */
    public record Settings(Mapping<String, SslContext> certificates, boolean redirectHttps, String hsts) {
        public boolean tls() {
            return certificates != null;
        }
    }

    private final boolean tls;
    private volatile Settings settings;

    public FrontendListener(Settings settings) {
        this.tls = settings.tls();
        this.settings = settings;
    }

    public static FrontendListener plain() {
        return new FrontendListener(new Settings(null, false, null));
    }

    public boolean tls() {
        return tls;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Applies a reload to connections accepted from now on.
     *
     * @throws IllegalArgumentException when it would turn TLS on or off: that needs a new socket
     */
    public void update(Settings next) {
        if (Objects.requireNonNull(next).tls() != tls) {
            throw new IllegalArgumentException("a listener cannot switch TLS " + (tls ? "off" : "on") + " in place");
        }
        settings = next;
    }
}
