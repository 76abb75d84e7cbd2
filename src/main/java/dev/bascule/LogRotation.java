package dev.bascule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code SIGUSR1} opens the access log file again by its name, as nginx's {@code USR1} does: logrotate renames the
 * file, then signals ({@code postrotate kill -USR1 ...}), and new lines go to a new file of the old name.
 */
final class LogRotation {
    private static final Logger log = LoggerFactory.getLogger(LogRotation.class);

    private LogRotation() {}

    static void onSigusr1(Bascule bascule) {
        try {
            Signal.handle(new Signal("USR1"), sig -> bascule.reopenAccessLog());
        } catch (IllegalArgumentException | LinkageError e) { // no such signal here, or the JVM keeps it
            log.warn("SIGUSR1 is not available on this platform; rotate the access log with copytruncate");
        }
    }
}
