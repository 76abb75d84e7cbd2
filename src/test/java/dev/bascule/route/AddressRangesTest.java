package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressRangesTest {
    private static AddressRanges.Range range(String ip, int prefix) throws Exception {
        return new AddressRanges.Range(InetAddress.getByName(ip).getAddress(), prefix);
    }

    @Test
    void matchesByPrefix() throws Exception {
        AddressRanges r = AddressRanges.of(List.of(range("10.0.0.0", 8), range("192.168.1.0", 25), range("::1", 128)));
        assertThat(r.contains(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(r.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(r.contains(InetAddress.getByName("192.168.1.127"))).isTrue();
        assertThat(r.contains(InetAddress.getByName("192.168.1.128"))).isFalse();
        assertThat(r.contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(r.contains(InetAddress.getByName("127.0.0.1"))).as("v4 never matches a v6 range").isFalse();
        assertThat(AddressRanges.NONE.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    }
}
