package dev.bascule.config;

import java.nio.file.Path;

/**
 * TLS from Bascule to an upstream's servers.
 *
 * @param verify check the server's certificate chain and name
 * @param ca trusted CA certificates (PEM); null means the JDK's default trust store
 * @param sni server name to send and verify; null means the server's host
 * @param cert client certificate chain for mutual TLS; null for none
 * @param key the client certificate's private key
 */
public record UpstreamTlsConfig(boolean verify, Path ca, String sni, Path cert, Path key) {}
