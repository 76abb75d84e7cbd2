package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Whether the listeners' max_connections, each with its origin connection, fit in the descriptor limit. */
class DescriptorLimitTest {
    @Test
    void eachClientConnectionCountsTwiceWithAMargin() {
        assertThat(DescriptorLimit.needed(1, 10000)).isEqualTo(20064);
        assertThat(DescriptorLimit.needed(2, 10000)).isEqualTo(40064);
        assertThat(DescriptorLimit.needed(3, Integer.MAX_VALUE)).as("no overflow")
                .isEqualTo(6L * Integer.MAX_VALUE + 64);
    }

    @Test
    void warnsWhenTheLimitIsBelowWhatTheListenersCanNeed() {
        assertThat(DescriptorLimit.shortfall(1024, 2, 10000)).contains("file descriptor limit 1024 is below what"
                + " 2 listeners with max_connections 10000 can need (about 40064 = 2 x 2 x 10000 + 64: a client and"
                + " an origin connection each, plus the listeners, event loops and the JVM's own files); raise it"
                + " (ulimit -n) or lower limits.max_connections");
        assertThat(DescriptorLimit.shortfall(300, 1, 10000).orElseThrow())
                .startsWith("file descriptor limit 300 is below what 1 listener with max_connections 10000");
        assertThat(DescriptorLimit.shortfall(20063, 1, 10000)).isPresent();
    }

    @Test
    void quietWhenItFits() {
        assertThat(DescriptorLimit.shortfall(20064, 1, 10000)).isEmpty();
        assertThat(DescriptorLimit.shortfall(1048576, 2, 10000)).isEmpty();
        assertThat(DescriptorLimit.shortfall(Long.MAX_VALUE, 8, Integer.MAX_VALUE)).as("unlimited").isEmpty();
    }

    @Test
    void theLimitOfThisProcessIsTheSoftLimitTheKernelReports() throws Exception {
        Path limits = Path.of("/proc/self/limits");
        assumeTrue(Files.isReadable(limits), "Linux only");
        // "Max open files            20000                20000                files"
        String line = Files.readAllLines(limits).stream().filter(l -> l.startsWith("Max open files")).findFirst()
                .orElseThrow();
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        OptionalLong limit = DescriptorLimit.current();
        assertThat(limit).isPresent();
        assertThat(limit.getAsLong()).isEqualTo("unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft));
    }
}
