package dev.bascule.proxy;

import dev.bascule.control.HeaderEdits;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Applies a route's {@code request_headers} or {@code response_headers} to a message: removals, then sets, then
 * additions. Runs after {@link HeaderRules} has rewritten the message for the next hop, so what the route says
 * is what goes out (a route may replace X-Forwarded-For, say); the config refused the hop-by-hop and framing
 * fields, so the framing {@link HeaderRules} chose stays.
 *
 * <p>Stateless; edits in place and allocates nothing but what Netty's headers store.
 */
final class RouteHeaders {
    private RouteHeaders() {}

    static void apply(HttpHeaders h, HeaderEdits edits) {
        if (edits.isEmpty()) {
            return;
        }
        List<String> remove = edits.remove();
        for (int i = 0; i < remove.size(); i++) {
            h.remove(remove.get(i));
        }
        List<HeaderEdits.Field> set = edits.set();
        for (int i = 0; i < set.size(); i++) {
            HeaderEdits.Field f = set.get(i);
            h.set(f.name(), f.value());
        }
        List<HeaderEdits.Field> add = edits.add();
        for (int i = 0; i < add.size(); i++) {
            HeaderEdits.Field f = add.get(i);
            h.add(f.name(), f.value());
        }
    }
}
