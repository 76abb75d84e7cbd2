package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RecentHosts}: a Host value read again on a thread is the String made before, and always the right one. */
class RecentHostsTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theSameHostIsOneStringWhereverItsBytesLie() {
        byte[] a = bytes("xxa.example:8080yy");
        byte[] b = bytes("a.example:8080");
        String first = RecentHosts.of(a, 2, 16);
        assertThat(first).isEqualTo("a.example:8080");
        assertThat(RecentHosts.of(b, 0, b.length)).isSameAs(first);
    }

    @Test
    void manyHostsEachReadBackAsThemselves() {
        // More hosts than slots: values that share a slot replace each other, and none is ever another's.
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 200; i++) {
                String host = "h" + i + ".example";
                byte[] b = bytes("Host: " + host);
                assertThat(RecentHosts.of(b, 6, b.length)).isEqualTo(host);
            }
        }
        byte[] latin = {'c', 'a', 'f', (byte) 0xe9};
        assertThat(RecentHosts.of(latin, 0, 4)).isEqualTo("caf\u00e9");
        assertThat(RecentHosts.of(new byte[0], 0, 0)).isEmpty();
    }

    @Test
    void aLongValueIsItsOwnString() {
        byte[] b = bytes("l".repeat(500));
        String first = RecentHosts.of(b, 0, b.length);
        assertThat(first).hasSize(500);
        assertThat(RecentHosts.of(b, 0, b.length)).isEqualTo(first).isNotSameAs(first);
    }
}
