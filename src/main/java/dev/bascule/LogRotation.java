package dev.bascule;

import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * Takes {@code SIGUSR1} from now on, before the proxy starts: the JVM has no handler of its own for it, and the
     * signal's default action would end the process. Until {@code running} holds the proxy there is no log file
     * open to reopen, so a signal then does nothing.
     */
    static void onSigusr1(AtomicReference<Bascule> running) {
        try {
            Signal.handle(new Signal("USR1"), sig -> {
                Bascule bascule = running.get();
                if (bascule != null) {
                    bascule.reopenAccessLog();
                }
            });
        } catch (IllegalArgumentException | LinkageError e) { // no such signal here, or the JVM keeps it
            log.warn("SIGUSR1 is not available on this platform; rotate the access log with copytruncate");
        }
    }
}
