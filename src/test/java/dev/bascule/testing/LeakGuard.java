package dev.bascule.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Leak detection runs at PARANOID (see
 * the surefire argLine); a leak is only noticed after the buffer is collected, so this forces a few GCs and
 * allocations before looking.
 */
public final class LeakGuard implements AfterAllCallback {
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
        assertThat(LeakCollector.leaks()).as("Netty buffer leaks").isEmpty();
    }
}
