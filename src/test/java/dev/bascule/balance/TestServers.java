package dev.bascule.balance;

import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Builds servers on 127.0.0.1 without touching the network. */
final class TestServers {
    private TestServers() {}

    static Server server(int port, int weight) {
        return new Server("127.0.0.1:" + port, new InetSocketAddress("127.0.0.1", port), weight, new ServerState());
    }

    /** Servers on ports 9001, 9002, ... with the given weights. */
    static List<Server> weighted(int... weights) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(server(9001 + i, weights[i]));
        }
        return servers;
    }

    static void inFlight(Server server, int count) {
        for (int i = 0; i < count; i++) {
            server.state().requestStarted();
        }
    }
}
