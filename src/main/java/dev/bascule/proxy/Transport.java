package dev.bascule.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: io_uring where the kernel offers it (Linux 5.x and newer, where no seccomp profile forbids
 * it), native epoll where that loads (Linux x86_64), Java NIO otherwise.
 *
 * <p>Immutable.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannelType,
        Class<? extends SocketChannel> channelType) {

    /**
     * The transport {@code -Dbascule.transport} names ({@code io_uring}, {@code epoll} or {@code nio}), else
     * io_uring; one that does not load here (another OS, a kernel or container without io_uring) falls back to the
     * next: io_uring to epoll, epoll to NIO. io_uring is the default for the CPU it saves: 19% per request on small
     * keep-alive requests, 8% with a connection per request (bench/RESULTS.md).
     */
    public static Transport best() {
        String wanted = System.getProperty("bascule.transport", "io_uring");
        if ("io_uring".equals(wanted) && IoUring.isAvailable()) {
            return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class);
        }
        if (!"nio".equals(wanted) && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return nio();
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** One event loop per thread; the data plane's threads. */
    public MultiThreadIoEventLoopGroup newEventLoopGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, false),
                ioHandlerFactory);
    }
}
