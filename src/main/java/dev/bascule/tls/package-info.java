/**
 * Control plane: turns the TLS parts of a config into ready-built Netty objects.
 *
 * <p>Entry point: {@link dev.bascule.tls.TlsMaterial#build}, called on the control thread before a config's
 * snapshot is published. It reads every PEM file the config names ({@link dev.bascule.tls.PemFiles}), builds a
 * server {@code SslContext} per listener certificate with an SNI mapping over the names in each certificate, and
 * a client {@code SslContext} per upstream with TLS ({@link dev.bascule.tls.TlsContexts}). A bad file is a config
 * error naming it, so a reload with a broken certificate changes nothing. The data plane ({@code proxy}, {@code
 * origin}) only ever receives the built contexts and never reads a file.
 */
package dev.bascule.tls;
