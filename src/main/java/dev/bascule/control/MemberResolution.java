package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HostPort;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.UpstreamConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns configured servers into pool members: a server given by IP is one member, one given by host name is a
 * member per address DNS returns.
 *
 * <p>Threading: control thread only; it may block on DNS.
 */
final class MemberResolution {
    private MemberResolution() {}

    static Map<String, List<Member>> resolveMembers(BasculeConfig config, Resolver resolver)
            throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, List<Member>> result = new LinkedHashMap<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            List<Member> list = new ArrayList<>();
            for (ServerConfig sc : u.servers()) {
                try {
                    list.addAll(membersOf(sc, resolver));
                } catch (UnknownHostException e) {
                    errors.add(new ConfigError(config.source(), 1, 1,
                            "upstream '" + u.name() + "': cannot resolve " + sc.address().host()));
                }
            }
            result.put(u.name(), list);
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return result;
    }

    /** A server given by IP is one member; one given by name is a member per address DNS returns. */
    static List<Member> membersOf(ServerConfig sc, Resolver resolver) throws UnknownHostException {
        HostPort hp = sc.address();
        if (isIpLiteral(hp.host())) {
            InetAddress ip = InetAddress.getByName(hp.host()); // a literal: no lookup
            return List.of(new Member(hp.toString(), new InetSocketAddress(ip, hp.port()), sc.weight(),
                    Member.Source.CONFIG, null, sc.maxConnections()));
        }
        List<InetAddress> ips = resolver.resolve(hp.host());
        if (ips.isEmpty()) {
            throw new UnknownHostException(hp.host());
        }
        List<Member> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (InetAddress ip : ips) {
            String addr = new HostPort(ip.getHostAddress(), hp.port()).toString();
            if (seen.add(addr)) {
                list.add(new Member(addr, new InetSocketAddress(ip, hp.port()), sc.weight(), Member.Source.DNS,
                        hp.toString(), sc.maxConnections()));
            }
        }
        return list;
    }

    static boolean isIpLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.indexOf(':') >= 0;
    }
}
