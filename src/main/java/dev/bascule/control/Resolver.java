package dev.bascule.control;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Looks up every address of a host name. Called on the control thread only; it may block. */
@FunctionalInterface
public interface Resolver {
    Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    List<InetAddress> resolve(String host) throws UnknownHostException;
}
