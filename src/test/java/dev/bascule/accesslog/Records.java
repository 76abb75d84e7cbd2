package dev.bascule.accesslog;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.RouteStats;
import dev.bascule.stats.StatusCounts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Exchange records as the data plane fills them, and lines formatted from them. */
final class Records {
    static final long END_MILLIS = Instant.parse("2026-03-14T09:26:53.589Z").toEpochMilli();
    static final RouteSeries BLUE = new RouteSeries("blue", "web-blue", new RouteStats(), new StatusCounts[0]);
    static final RouteSeries UNROUTED = new RouteSeries("", "", new RouteStats(), new StatusCounts[0]);
    private static final ListenerStats LISTENER = ListenerStats.detached("public");
    private static final long START = 5_000_000_000L;

    private Records() {}

    /** A GET an origin answered: 12.345678 ms in all, its response head after 11.4 ms. */
    static ExchangeRecord proxied() {
        return new ExchangeRecord().begin(LISTENER, "10.1.2.3", START)
                .request("GET", "blue.labs.test", "/a?b=1", "HTTP/1.1", "curl/8.5.0", "https://example.com/")
                .requestId("r-42")
                .route(BLUE)
                .attempt("127.0.0.1:9001")
                .upstreamResponse(11_400_000)
                .received(12)
                .sent(1843)
                .status(200, null)
                .end(START + 12_345_678, END_MILLIS);
    }

    /** A request no route matched, answered 404 by Bascule after 0.4 ms. */
    static ExchangeRecord noRoute() {
        return new ExchangeRecord().begin(LISTENER, "::1", START)
                .request("DELETE", "nowhere.test", "/x", "HTTP/2.0", null, null)
                .tlsVersion("TLSv1.3")
                .route(UNROUTED)
                .received(40)
                .status(404, LocalReason.NO_ROUTE)
                .end(START + 400_000, END_MILLIS + 2);
    }

    /** A request too malformed to tell anything of, answered 400. */
    static ExchangeRecord malformed() {
        return new ExchangeRecord().begin(LISTENER, "10.1.2.3", START)
                .status(400, LocalReason.BAD_REQUEST)
                .sent(0)
                .end(START + 1_500_000_000L, END_MILLIS);
    }

    static ExchangeRecord withUserAgent(CharSequence userAgent) {
        ExchangeRecord r = proxied();
        return r.request(r.method(), r.host(), r.target(), r.protocol(), userAgent, r.referer());
    }

    /** The line {@code format} writes for {@code record}. */
    static String line(LineFormat format, ExchangeRecord record) throws Exception {
        Entry e = new Entry();
        e.copy(record);
        LineBuffer out = new LineBuffer(64);
        format.append(e, out);
        return new String(out.array(), 0, out.size(), StandardCharsets.ISO_8859_1);
    }
}
