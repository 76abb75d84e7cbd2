package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The client read sizing decides as Netty's adaptive allocator does, read for read. */
class ClientReadsTest {
    @Test
    void growsAfterFullReadsAndShrinksAfterTwoSmallLoops() {
        ChannelConfig config = new EmbeddedChannel().config();
        RecvByteBufAllocator.ExtendedHandle h = (RecvByteBufAllocator.ExtendedHandle) ClientReads.INSTANCE.newHandle();
        assertThat(h.guess()).isEqualTo(2048);
        h.reset(config);
        h.attemptedBytesRead(2048);
        h.lastBytesRead(2048); // filled the buffer: four steps up at once
        assertThat(h.guess()).isEqualTo(32768);
        h.incMessagesRead(1);
        assertThat(h.continueReading()).isTrue();
        h.attemptedBytesRead(32768);
        h.lastBytesRead(100);
        h.incMessagesRead(1);
        assertThat(h.continueReading()).as("a read that did not fill its buffer ends the loop").isFalse();
        h.readComplete();
        for (int loop = 0; loop < 2; loop++) {
            h.reset(config);
            h.attemptedBytesRead(h.guess());
            h.lastBytesRead(10);
            h.incMessagesRead(1);
            h.readComplete();
        }
        assertThat(h.guess()).as("one step down after two small loops").isEqualTo(16384);
    }

    @Test
    void decidesAsNettysAdaptiveAllocatorOnRandomReads() {
        Random random = new Random(12);
        for (boolean autoRead : new boolean[] {true, false}) {
            ChannelConfig config = new EmbeddedChannel().config();
            config.setAutoRead(autoRead);
            RecvByteBufAllocator.ExtendedHandle netty = (RecvByteBufAllocator.ExtendedHandle)
                    new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(ClientReads.MAX_READS_PER_LOOP).newHandle();
            RecvByteBufAllocator.ExtendedHandle ours =
                    (RecvByteBufAllocator.ExtendedHandle) ClientReads.INSTANCE.newHandle();
            for (int loop = 0; loop < 5_000; loop++) {
                netty.reset(config);
                ours.reset(config);
                boolean more = true;
                while (more) {
                    assertThat(ours.guess()).isEqualTo(netty.guess());
                    int attempted = netty.guess();
                    netty.attemptedBytesRead(attempted);
                    ours.attemptedBytesRead(attempted);
                    int kind = random.nextInt(4);
                    int read = kind == 0 ? attempted : kind == 1 ? random.nextInt(attempted + 1)
                            : kind == 2 ? random.nextInt(64) : -1 + random.nextInt(2); // EOF or nothing
                    netty.lastBytesRead(read);
                    ours.lastBytesRead(read);
                    assertThat(ours.lastBytesRead()).isEqualTo(netty.lastBytesRead());
                    if (read > 0) {
                        netty.incMessagesRead(1);
                        ours.incMessagesRead(1);
                    }
                    more = netty.continueReading();
                    assertThat(ours.continueReading()).isEqualTo(more);
                    boolean stillMore = random.nextBoolean();
                    assertThat(ours.continueReading(() -> stillMore)).isEqualTo(netty.continueReading(() -> stillMore));
                }
                netty.readComplete();
                ours.readComplete();
            }
            assertThat(ours.guess()).isEqualTo(netty.guess());
        }
    }
}
