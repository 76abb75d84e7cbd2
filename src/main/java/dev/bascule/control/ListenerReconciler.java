package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ListenerConfig;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.stats.StatsRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data plane's listening sockets in step with the config in force. A reload opens what it needs
 * ({@link #open}) before its snapshot is swapped in, so a port that cannot be had rejects the reload with every
 * socket as it was, instead of leaving a config in force that is not served; what it dropped is closed after the
 * swap ({@link #closeDropped}).
 *
 * <p>Threading: control thread only, apart from {@link #boundAddresses()} (volatile).
 */
final class ListenerReconciler {
    private static final Logger log = LoggerFactory.getLogger(ListenerReconciler.class);

    private final ListenerSockets sockets;
    /** Configured address to bound address (port 0 becomes a real port). */
    private final Map<InetSocketAddress, InetSocketAddress> bound = new LinkedHashMap<>();
    /** Configured address to the settings its socket was opened with (their TLS mode is the socket's). */
    private final Map<InetSocketAddress, ListenerSettings> opened = new LinkedHashMap<>();
    private volatile List<InetSocketAddress> boundAddresses = List.of();
    /** The configured addresses of the config in force, in its order. */
    private List<InetSocketAddress> order = List.of();

    ListenerReconciler(ListenerSockets sockets) {
        this.sockets = sockets;
    }

    /**
     * The listeners of {@code config} by resolved address, with their settings built from {@code tls}.
     *
     * @throws ConfigException a listener's host name does not resolve
     */
    static Map<InetSocketAddress, ListenerSettings> settingsOf(BasculeConfig config, TlsMaterial tls,
            StatsRegistry stats) throws ConfigException {
        Map<InetSocketAddress, ListenerSettings> result = new LinkedHashMap<>();
        for (ListenerConfig l : config.listeners()) {
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByName(l.address().host()), l.address().port());
            } catch (UnknownHostException e) {
                throw cannotListen(config, l, "unknown host");
            }
            result.putIfAbsent(address, new ListenerSettings(l.name(), tls.listener(l), l.redirectHttps(), l.hsts(),
                    Protocol.of(l.protocols()), stats.listener(l.name())));
        }
        return result;
    }

    /**
     * Binds every socket {@code next} needs and does not have yet: new addresses, and addresses switching between
     * plain and TLS (that takes a new socket; open connections carry on). Until the swap, connections on a new or
     * re-bound socket are served with the running config's routes.
     *
     * @throws ConfigException a socket cannot be bound; everything this call changed has been undone
     */
    void open(BasculeConfig next, Map<InetSocketAddress, ListenerSettings> listeners) throws ConfigException {
        List<InetSocketAddress> added = new ArrayList<>();
        Map<InetSocketAddress, ListenerSettings> switched = new LinkedHashMap<>();
        for (Map.Entry<InetSocketAddress, ListenerSettings> e : listeners.entrySet()) {
            InetSocketAddress address = e.getKey();
            ListenerSettings settings = e.getValue();
            ListenerSettings current = opened.get(address);
            if (current != null && current.tls() == settings.tls()) {
                continue;
            }
            try {
                if (current != null) {
                    sockets.unbind(address);
                    switched.put(address, current);
                } else {
                    added.add(address);
                }
                bind(address, settings);
            } catch (Exception failure) { // a BindException arrives undeclared through Netty's sync()
                undo(added, switched);
                ListenerConfig l = next.listeners().stream()
                        .filter(c -> settings.name().equals(c.name())).findFirst().orElseThrow();
                throw cannotListen(next, l, String.valueOf(failure.getMessage()));
            }
        }
    }

    private void bind(InetSocketAddress address, ListenerSettings settings) throws Exception {
        InetSocketAddress actual = sockets.bind(address, settings);
        bound.put(address, actual);
        opened.put(address, settings);
        log.info("listening on {} ({}{})", hostPort(actual), settings.name(), settings.tls() ? ", TLS" : "");
    }

    /** Closes what a refused reload opened and re-opens, as they were, the sockets it had switched. */
    private void undo(List<InetSocketAddress> added, Map<InetSocketAddress, ListenerSettings> switched) {
        for (InetSocketAddress address : added) {
            sockets.unbind(address);
            opened.remove(address);
            bound.remove(address);
        }
        for (Map.Entry<InetSocketAddress, ListenerSettings> e : switched.entrySet()) {
            InetSocketAddress address = e.getKey();
            sockets.unbind(address);
            try {
                bind(address, e.getValue());
            } catch (Exception rebind) { // another process took the port in between: nothing left to fall back to
                bound.remove(address);
                opened.remove(address);
                log.error("could not listen on {} again after a refused reload: {}", address, rebind.getMessage());
            }
        }
        publishAddresses(); // a switched listener on port 0 came back on another port
    }

    /** After the swap: closes the sockets of listeners the config in force no longer has. */
    void closeDropped(Map<InetSocketAddress, ListenerSettings> listeners) {
        for (InetSocketAddress old : new ArrayList<>(opened.keySet())) {
            if (!listeners.containsKey(old)) {
                sockets.unbind(old);
                opened.remove(old);
                log.info("stopped listening on {}", hostPort(bound.remove(old)));
            }
        }
        order = List.copyOf(listeners.keySet());
        publishAddresses();
    }

    /** The addresses actually bound, in the order of the config in force. */
    List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    private void publishAddresses() {
        boundAddresses = order.stream().map(bound::get).filter(Objects::nonNull).toList();
    }

    private static ConfigException cannotListen(BasculeConfig config, ListenerConfig l, String reason) {
        return new ConfigException(List.of(new ConfigError(config.source(), 1, 1,
                "listener " + l.name() + ": cannot listen on " + l.address() + ": " + reason)));
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
