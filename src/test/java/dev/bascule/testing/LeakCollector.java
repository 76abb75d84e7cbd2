package dev.bascule.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Netty's buffer leak reports (logged by ResourceLeakDetector at ERROR with "LEAK:") so tests can
 * fail on them. Installed by logback-test.xml.
 */
public final class LeakCollector extends AppenderBase<ILoggingEvent> {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String msg = event.getFormattedMessage();
        if (msg != null && msg.contains("LEAK:")) {
            LEAKS.add(msg);
        }
    }

    public static List<String> leaks() {
        return List.copyOf(LEAKS);
    }
}
