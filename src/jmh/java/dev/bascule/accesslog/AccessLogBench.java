package dev.bascule.accesslog;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.RouteStats;
import dev.bascule.stats.StatusCounts;
import io.netty.util.AsciiString;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the access log costs. On the event loop: {@code offer} is one record copied into the ring and taken back
 * on the same thread (the copy alone, no other thread); {@code work} and {@code workThenAccept} are a stand-in for
 * a request's own work (about a microsecond of {@link Blackhole#consumeCPU}) without and with {@link
 * AccessLog#accept} through a live log whose writer formats JSON to a stream that discards it, so their
 * difference is what a request pays with the writer running beside it; the {@code dropped} counter shows whether
 * the writer kept up. On the writer thread: {@code formatJson} and {@code formatCombined}, one line each.
 *
 * <p>{@code values}: {@code string} holds header values as {@link String} (kept by reference), {@code ascii} as
 * Netty's {@link AsciiString}, as HTTP/2 headers are (copied into the slot).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBench {
    private static final int WORK_TOKENS = 400;

    @Param({"string", "ascii"})
    public String values;

    private ExchangeRecord record;
    private RecordRing ring;
    private AccessLog log;
    private final AtomicLong dropped = new AtomicLong();
    private final Entry entry = new Entry();
    private final LineBuffer buffer = new LineBuffer(1 << 20);
    private final LineFormat json = LineFormat.json();
    private final LineFormat combined = LineFormat.combined(ZoneOffset.UTC);

    @Setup(Level.Trial)
    public void setUp() {
        boolean ascii = values.equals("ascii");
        CharSequence host = ascii ? new AsciiString("blue.labs.test") : "blue.labs.test";
        CharSequence agent = ascii
                ? new AsciiString("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                : "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        CharSequence referer = ascii ? new AsciiString("https://labs.test/index.html") : "https://labs.test/index.html";
        record = new ExchangeRecord()
                .begin(ListenerStats.detached("public"), "10.1.2.3", 1_000_000_000L)
                .request("GET", host, "/static/app.js?v=42", "HTTP/1.1", agent, referer)
                .route(new RouteSeries("blue", "web-blue", new RouteStats(), new StatusCounts[0]))
                .attempt("127.0.0.1:9001")
                .upstreamResponse(1_100_000)
                .sent(4321)
                .status(200, null)
                .end(1_001_234_567L, System.currentTimeMillis());
        ring = new RecordRing(1024);
        log = new AccessLog(new StreamOutput(OutputStream.nullOutputStream(), "null"), LineFormat.json(), dropped,
                AccessLog.CAPACITY);
        entry.copy(record);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        log.close();
    }

    @Benchmark
    public Entry offer() {
        ring.offer(record);
        Entry e = ring.peek();
        ring.release(e);
        return e;
    }

    @Benchmark
    public void work() {
        Blackhole.consumeCPU(WORK_TOKENS);
    }

    @Benchmark
    public void workThenAccept(Dropped counter) {
        Blackhole.consumeCPU(WORK_TOKENS);
        log.accept(record);
        counter.dropped = dropped.get();
    }

    @Benchmark
    public int formatJson() throws Exception {
        buffer.truncate(0);
        json.append(entry, buffer);
        return buffer.size();
    }

    @Benchmark
    public int formatCombined() throws Exception {
        buffer.truncate(0);
        combined.append(entry, buffer);
        return buffer.size();
    }

    /** Lines the live log dropped so far in the iteration's trial (0 when its writer kept up). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Dropped {
        public long dropped;
    }
}
