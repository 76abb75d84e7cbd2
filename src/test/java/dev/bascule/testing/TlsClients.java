package dev.bascule.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** JDK TLS client sockets with exact control over SNI, protocols, suites and ALPN. */
public final class TlsClients {
    private TlsClients() {}

    /**
     * Connects and completes the handshake.
     *
     * @param sni the name to send; null sends none (the JDK sends none to an IP address anyway)
     * @param protocols enabled protocols; empty for the defaults
     */
    public static SSLSocket connect(SSLContext context, InetSocketAddress address, String sni, List<String> protocols,
            List<String> suites, List<String> alpn) throws IOException {
        Socket plain = new Socket();
        plain.connect(address, 2000);
        plain.setSoTimeout(10_000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, address.getHostString(),
                address.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        if (!protocols.isEmpty()) {
            p.setProtocols(protocols.toArray(String[]::new));
        }
        if (!suites.isEmpty()) {
            p.setCipherSuites(suites.toArray(String[]::new));
        }
        if (!alpn.isEmpty()) {
            p.setApplicationProtocols(alpn.toArray(String[]::new));
        }
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public static SSLSocket connect(SSLContext context, InetSocketAddress address, String sni) throws IOException {
        return connect(context, address, sni, List.of(), List.of(), List.of());
    }

    /** The CN-bearing subject of the certificate the server presented. */
    public static String peerSubject(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
}
