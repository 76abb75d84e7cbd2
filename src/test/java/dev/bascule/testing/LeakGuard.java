package dev.bascule.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Leak detection runs at PARANOID (see
 * the surefire argLine); a leak is only noticed after the buffer is collected, so this forces a few GCs and
 * allocations before looking. Only the reports made since the class started count: one leak fails one class,
 * not every class after it in the same JVM.
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakGuard.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("reported", LeakCollector.leaks().size());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20); // lets the reference queue fill; the only sleep, and not a timing assertion
            for (int j = 0; j < 64; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        Integer before = context.getStore(NS).get("reported", Integer.class);
        List<String> all = LeakCollector.leaks();
        assertThat(all.subList(before == null ? 0 : before, all.size())).as("Netty buffer leaks").isEmpty();
    }
}
