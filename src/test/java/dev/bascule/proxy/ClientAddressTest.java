package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Who a connection's peer is, as text and bytes: shared by the connections of one address, right for every one. */
class ClientAddressTest {

    private static ClientAddress accepted(String ip, int port) throws UnknownHostException {
        return new ClientAddress(new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    @Test
    void connectionsFromOneAddressShareItsTextAndBytes() throws Exception {
        ClientAddress first = accepted("198.51.100.7", 40000);
        ClientAddress second = accepted("198.51.100.7", 40001);
        ClientAddress other = accepted("198.51.100.8", 40000);

        assertThat(second.peerIp()).isEqualTo("198.51.100.7").isSameAs(first.peerIp());
        assertThat(second.bytes()).isSameAs(first.bytes()).containsExactly(198, 51, 100, 7);
        assertThat(other.peerIp()).isEqualTo("198.51.100.8");
        assertThat(other.bytes()).containsExactly(198, 51, 100, 8);
    }

    @Test
    void anAddressThatTakesAnothersSlotLeavesTheOlderConnectionsRight() throws Exception {
        ClientAddress first = accepted("198.51.100.7", 40000);
        ClientAddress sameSlot = accepted("198.51.100.23", 40000); // 7 and 23 agree in their low four bits

        assertThat(sameSlot.peerIp()).isEqualTo("198.51.100.23");
        assertThat(first.peerIp()).isEqualTo("198.51.100.7");
        assertThat(first.bytes()).containsExactly(198, 51, 100, 7);
        assertThat(accepted("198.51.100.7", 40001).peerIp()).isEqualTo("198.51.100.7");
    }

    @Test
    void ipv6PeersToo() throws Exception {
        ClientAddress first = accepted("2001:db8::1", 40000);
        assertThat(first.peerIp()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(accepted("2001:db8::1", 40001).peerIp()).isSameAs(first.peerIp());
        assertThat(first.bytes()).hasSize(16);
    }
}
