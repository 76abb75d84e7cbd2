package dev.bascule;

import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The ways a running proxy is told to read its config again: {@code SIGHUP} and, with {@code run --watch}, a
 * change to the file. A bad file is logged with its errors and the running config stays.
 */
final class Reloads {
    private static final Logger log = LoggerFactory.getLogger(Reloads.class);
    /** Editors write a file in several steps; wait for them to finish before reading it. */
    private static final long SETTLE_MILLIS = 200;

    private Reloads() {}

    /**
     * Takes {@code SIGHUP} from now on, before the proxy starts: the JVM's own handler would end the process, so a
     * reload asked for while it starts (right after its listeners opened, say) would stop it instead. Such a
     * request is kept and carried out once {@link Sighup#started} says the proxy runs.
     */
    static Sighup onSighup() {
        Sighup hup = new Sighup();
        try {
            if (Signal.handle(new Signal("HUP"), sig -> hup.received()) == SignalHandler.SIG_IGN) {
                // Started with SIGHUP ignored (nohup, some supervisors): the JVM keeps it ignored and takes no
                // handler, so a SIGHUP would silently do nothing.
                log.warn("SIGHUP is ignored by whatever started Bascule (nohup?), so it cannot reload; reload with"
                        + " the admin API or --watch, or start Bascule without nohup");
            }
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available on this platform; reload with the admin API or --watch");
        }
        return hup;
    }

    /**
     * Where {@code SIGHUP} goes: a reload of the running proxy, or one kept for when it runs.
     *
     * <p>Threading: signals arrive on the JVM's signal thread, {@link #started} on the main thread; whichever
     * comes second carries out a kept request, once.
     */
    static final class Sighup {
        private final AtomicReference<Bascule> running = new AtomicReference<>();
        private final AtomicBoolean asked = new AtomicBoolean();

        private void received() {
            asked.set(true);
            Bascule bascule = running.get();
            if (bascule == null) {
                log.info("SIGHUP while starting: the config is read again once the proxy runs");
            } else if (asked.getAndSet(false)) {
                reload(bascule, "SIGHUP");
            }
        }

        /** The proxy runs: signals reload it from now on, and one that came while it started does now. */
        void started(Bascule bascule) {
            running.set(bascule);
            if (asked.getAndSet(false)) {
                reload(bascule, "SIGHUP received while starting");
            }
        }
    }

    static void reload(Bascule bascule, String why) {
        log.info("reloading config ({})", why);
        bascule.reload().whenComplete((version, error) -> {
            if (error == null) {
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof ConfigException ce) {
                for (ConfigError e : ce.errors()) {
                    log.error("reload rejected, the running config stays: {}", e);
                }
            } else {
                log.error("reload failed, the running config stays: {}", cause.toString());
            }
        });
    }

    /** Watches the config file's folder on a daemon thread and reloads when the file changes. */
    static void watch(Path file, Bascule bascule) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path name = absolute.getFileName();
        WatchService watcher = FileSystems.getDefault().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        Thread t = new Thread(() -> {
            try {
                for (;;) {
                    WatchKey key = watcher.take();
                    boolean ours = false;
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (name.equals(event.context())) {
                            ours = true;
                        }
                    }
                    key.reset();
                    if (ours) {
                        Thread.sleep(SETTLE_MILLIS);
                        WatchKey more;
                        while ((more = watcher.poll()) != null) { // coalesce the burst of one save
                            more.pollEvents();
                            more.reset();
                        }
                        reload(bascule, "file changed");
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                Thread.currentThread().interrupt();
            }
        }, "bascule-config-watch");
        t.setDaemon(true);
        t.start();
        log.info("watching {} for changes", absolute);
    }
}
