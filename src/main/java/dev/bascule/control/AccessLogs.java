package dev.bascule.control;

import dev.bascule.accesslog.AccessLog;
import dev.bascule.accesslog.LineFormat;
import dev.bascule.config.AccessLogConfig;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.stats.RecordSink;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The access log of the config in force. A reload that leaves {@code access_log} as it was keeps the log open (same
 * file, same writer); one that changes it opens the new log before anything is swapped, so a file that cannot be
 * opened refuses the reload, and retires the old log into the new one once the new snapshot is published: lines
 * of requests still running on the old snapshot go to the new log, and the old writer writes out what it holds
 * and closes.
 *
 * <p>Threading: the control thread's, except {@link #close}, called once the control thread has stopped.
 */
final class AccessLogs {
    private final AtomicLong dropped;
    private final ZoneId zone;
    private AccessLogConfig config;
    /** Null when the log is off. Volatile for {@link #close}. */
    private volatile AccessLog current;
    /** Between {@link #prepare} and {@link #commit} or {@link #abandon} of a reload that changes the log. */
    private boolean switching;
    private AccessLogConfig pendingConfig;
    private AccessLog pending;

    /**
     * @param dropped where every log opened here counts the lines it loses
     * @param zone the time zone of the combined format's time stamps
     */
    AccessLogs(AtomicLong dropped, ZoneId zone) {
        this.dropped = dropped;
        this.zone = zone;
    }

    /** Opens the log of the first config. */
    void start(BasculeConfig first) throws ConfigException {
        current = open(first);
        config = first.accessLog();
    }

    /**
     * Opens the log {@code next} asks for, when it differs from the one in force.
     *
     * @return whether it differs: then {@link #sinks} names the new log until {@link #commit} or {@link #abandon}
     * @throws ConfigException when the new file cannot be opened for appending
     */
    boolean prepare(BasculeConfig next) throws ConfigException {
        abandon();
        if (next.accessLog().sameLog(config)) {
            return false;
        }
        pending = open(next);
        pendingConfig = next.accessLog();
        switching = true;
        return true;
    }

    /** The reload was refused after {@link #prepare}: closes the log it opened. */
    void abandon() {
        if (switching && pending != null) {
            pending.close();
        }
        switching = false;
        pending = null;
        pendingConfig = null;
    }

    /** The reload's snapshot is published: the prepared log is the one in force, the old one retires into it. */
    void commit() {
        if (!switching) {
            return;
        }
        AccessLog old = current;
        current = pending;
        config = pendingConfig;
        switching = false;
        pending = null;
        pendingConfig = null;
        if (old != null) {
            old.retire(current);
        }
    }

    /** Where exchange events send finished requests: the prepared log during a switch, else the one in force. */
    List<RecordSink> sinks() {
        AccessLog log = switching ? pending : current;
        return log == null ? List.of() : List.of(log);
    }

    /** SIGUSR1: the file is opened again by name before the next line (logrotate renamed it). */
    void reopen() {
        AccessLog log = current;
        if (log != null) {
            log.reopen();
        }
    }

    /** Writes out the last lines and closes the log; once the control thread has stopped. */
    void close() {
        AccessLog log = current;
        if (log != null) {
            log.close();
        }
    }

    private AccessLog open(BasculeConfig c) throws ConfigException {
        AccessLogConfig a = c.accessLog();
        LineFormat format = a.format() == AccessLogConfig.Format.COMBINED ? LineFormat.combined(zone) : LineFormat.json();
        return switch (a.to()) {
            case OFF -> null;
            case STDOUT -> AccessLog.toStream(System.out, "stdout", format, dropped);
            case STDERR -> AccessLog.toStream(System.err, "stderr", format, dropped);
            case FILE -> {
                try {
                    yield AccessLog.toFile(a.file(), format, dropped);
                } catch (IOException e) {
                    throw new ConfigException(List.of(new ConfigError(c.source(), a.line(), a.column(),
                            "access_log " + a.file() + ": cannot open it for appending: " + describe(e))));
                }
            }
        };
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
