package dev.bascule.explain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.BasculeConfig;
import dev.bascule.control.Snapshot;

/**
 * Why a request would go where it goes: every route in order with whether it matched and why not, what the
 * winning route does, its upstream's servers, and the outcome (forward, or the status the proxy would answer).
 * The admin API's {@code GET /explain} serves {@link #json()} for the running proxy; {@code bascule explain}
 * prints {@link #text()} or the JSON for a config file before it is deployed.
 *
 * <p>Building one reads and never takes: no rate-limit token, round robin position, in-flight count or retry
 * budget moves, so explaining changes nothing the proxy decides by.
 *
 * <p>Threading: the factories may be called from any thread and block nothing; an instance belongs to its
 * caller (its tree is not shared).
 */
public final class Explanation {
    private final ObjectNode json;

    private Explanation(ObjectNode json) {
        this.json = json;
    }

    /**
     * Against the running proxy: the snapshot read once, its servers' states as they are now.
     *
     * @param nowNanos the control plane's clock, the one server states and rate limits are stamped with
     */
    public static Explanation live(Snapshot snapshot, Question question, long nowNanos) {
        return new Explanation(LiveExplain.explain(snapshot, question, nowNanos));
    }

    /** Against a loaded config file: the routing part only, no live state. */
    public static Explanation offline(BasculeConfig config, Question question) {
        return new Explanation(OfflineExplain.explain(config, question));
    }

    /** The whole explanation as JSON; the admin API's answer. The tree is the caller's. */
    public ObjectNode json() {
        return json;
    }

    /** Whether a route matched (whatever the outcome then: 403, 429, 503 or forward). */
    public boolean routed() {
        return !json.path("route").isNull();
    }

    /** The same for a person to read, one line per route and per server. */
    public String text() {
        return ExplainText.render(json);
    }
}
