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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The ways a running proxy is told to read its config again: {@code SIGHUP} and, with {@code run --watch}, a
 * change to the file. A bad file is logged with its errors and the running config stays.
 */
final class Reloads {
    private static final Logger log = LoggerFactory.getLogger(Reloads.class);
    /** Editors write a file in several steps; wait for them to finish before reading it. */
    private static final long SETTLE_MILLIS = 200;

    private Reloads() {}

    static void onSighup(Bascule bascule) {
        try {
            Signal.handle(new Signal("HUP"), sig -> reload(bascule, "SIGHUP"));
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available on this platform; reload with the admin API or --watch");
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
