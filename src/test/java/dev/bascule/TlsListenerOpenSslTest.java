package dev.bascule;

/** {@link TlsListenerTest} with the OpenSSL (BoringSSL) engine. */
class TlsListenerOpenSslTest extends TlsListenerTest {
    TlsListenerOpenSslTest() {
        super("openssl");
    }
}
