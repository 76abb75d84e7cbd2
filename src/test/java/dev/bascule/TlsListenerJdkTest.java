package dev.bascule;

/** {@link TlsListenerTest} with the JDK's engine. */
class TlsListenerJdkTest extends TlsListenerTest {
    TlsListenerJdkTest() {
        super("jdk");
    }
}
