package dev.bascule.proxy;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's file descriptor limit, and whether the configured connection limits fit in it. Every client
 * connection is a descriptor, and so is the origin connection it holds while a request is in flight (one at a
 * time, HTTP/1.1); when the limit is reached, {@code accept} fails with EMFILE and clients wait in the kernel's
 * backlog (see {@link AcceptFailures}).
 *
 * <p>Threading: stateless; every method may be called from any thread.
 */
public final class DescriptorLimit {
    private static final Logger log = LoggerFactory.getLogger(DescriptorLimit.class);
    /**
     * Descriptors that are not connections: listening sockets, the admin socket, an epoll descriptor, an eventfd
     * and a timerfd per event loop, and the JVM's own (its jar and runtime image, standard streams). With the
     * shaded jar, two listeners, the admin API and two event loops, Bascule at rest holds 19.
     */
    static final int MARGIN = 64;

    private DescriptorLimit() {}

    /**
     * The soft limit on open descriptors ({@code ulimit -n}). On Linux and macOS the JVM raises the soft limit to
     * the hard one as it starts ({@code -XX:+MaxFDLimit}, on by default), so this is usually the hard limit.
     *
     * @return empty where the platform does not tell (no {@code com.sun.management.UnixOperatingSystemMXBean}:
     *     Windows, or a runtime without the {@code jdk.management} module); {@link Long#MAX_VALUE} when unlimited
     */
    public static OptionalLong current() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                long limit = unix.getMaxFileDescriptorCount();
                // RLIM_INFINITY is all ones, which reads back as -1
                return OptionalLong.of(limit < 0 ? Long.MAX_VALUE : limit);
            }
        } catch (LinkageError | RuntimeException e) {
            // jdk.management or java.management left out of the runtime image, or getrlimit failed
        }
        return OptionalLong.empty();
    }

    /** Descriptors that {@code listeners} full listeners can hold: each client connection with its origin one. */
    static long needed(int listeners, int maxConnections) {
        return 2L * listeners * maxConnections + MARGIN;
    }

    /**
     * A warning when {@code limit} is below what the listeners can need at their connection limit.
     *
     * @param limit as {@link #current()} gives it
     * @param listeners listeners in the config
     * @param maxConnections {@code limits.max_connections}, which applies to each listener
     * @return empty when it fits
     */
    public static Optional<String> shortfall(long limit, int listeners, int maxConnections) {
        long needed = needed(listeners, maxConnections);
        if (limit >= needed) {
            return Optional.empty();
        }
        return Optional.of("file descriptor limit " + limit + " is below what " + listeners
                + (listeners == 1 ? " listener" : " listeners") + " with max_connections " + maxConnections
                + " can need (about " + needed + " = 2 x " + listeners + " x " + maxConnections + " + " + MARGIN
                + ": a client and an origin connection each, plus the listeners, event loops and the JVM's own"
                + " files); raise it (ulimit -n) or lower limits.max_connections");
    }

    /** Logs the limit this process has, and warns when {@link #shortfall} finds one. Called once at start-up. */
    public static void logAtStart(int listeners, int maxConnections) {
        OptionalLong limit = current();
        if (limit.isEmpty()) {
            log.info("file descriptor limit: unknown on this platform");
        } else if (limit.getAsLong() == Long.MAX_VALUE) {
            log.info("file descriptor limit: unlimited");
        } else {
            log.info("file descriptor limit {}", limit.getAsLong());
            shortfall(limit.getAsLong(), listeners, maxConnections).ifPresent(log::warn);
        }
    }
}
