package dev.bascule.control;

import java.net.InetSocketAddress;

/**
 * The listening sockets of the data plane, as the control plane opens and closes them while it reconciles the
 * listeners of a config (see {@link ListenerReconciler}). A connection accepted on a socket reads its {@link
 * ListenerSettings} from the live snapshot, under the address the socket was opened for.
 *
 * <p>Threading: called on the control thread only; calls block until the socket is bound or closed.
 */
public interface ListenerSockets {

    /**
     * Starts listening on {@code address}.
     *
     * @param untilPublished the settings for connections accepted before a snapshot that lists {@code address}
     *     with the same TLS mode is published (a reload binds its new sockets before it swaps its snapshot in)
     * @return the bound address (a real port for port 0)
     * @throws Exception the address cannot be bound (in use, not local, ...)
     */
    InetSocketAddress bind(InetSocketAddress address, ListenerSettings untilPublished) throws Exception;

    /** Stops listening on {@code address}, as it was given to {@link #bind}; open connections carry on. */
    void unbind(InetSocketAddress address);
}
