package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.Transition;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code GET /events}: the last server state changes, newest first, times in ISO-8601 UTC to the millisecond.
 * <pre>
 * {"events": [{"sequence": 7, "at": "2026-01-01T12:00:03.250Z", "kind": "drain", "upstream": "web-blue",
 *              "server": "127.0.0.1:9001", "from": "healthy", "to": "draining",
 *              "reason": "drained through the admin API"}, ...]}
 * </pre>
 *
 * <p>Stateless.
 */
final class TransitionsJson {
    private TransitionsJson() {}

    static ObjectNode of(List<Transition> oldestFirst) {
        ObjectNode root = Json.object();
        ArrayNode events = root.putArray("events");
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            Transition t = oldestFirst.get(i);
            events.addObject()
                    .put("sequence", t.sequence())
                    .put("at", t.at().truncatedTo(ChronoUnit.MILLIS).toString())
                    .put("kind", t.kind())
                    .put("upstream", t.upstream())
                    .put("server", t.server())
                    .put("from", t.from())
                    .put("to", t.to())
                    .put("reason", t.reason());
        }
        return root;
    }
}
