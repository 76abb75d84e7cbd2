package dev.bascule.limit;

import java.util.concurrent.TimeUnit;

/**
 * How to reach the Redis of global rate limits, as the control plane read it from the {@code redis} section.
 *
 * @param username null for the {@code default} user
 * @param password null for no AUTH; {@link #toString} never shows it
 * @param timeoutNanos the longest a request waits for a check before the local share decides
 * @param keyPrefix put before every bucket's key
 */
public record RedisSettings(String host, int port, String username, String password, int database,
        long timeoutNanos, String keyPrefix) {

    /** {@code host:port}, as log lines name the server. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return "redis " + address() + " db " + database + " timeout "
                + TimeUnit.NANOSECONDS.toMicros(timeoutNanos) / 1000.0 + "ms prefix '" + keyPrefix + "'"
                + (password == null ? "" : " with AUTH" + (username == null ? "" : " as " + username));
    }
}
