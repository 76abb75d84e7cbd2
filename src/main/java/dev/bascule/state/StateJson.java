package dev.bascule.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.release.RolloutPlan;
import dev.bascule.release.RolloutState;
import dev.bascule.release.StepFigures;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state file's JSON, written and read strictly: an unknown format, an unknown or missing field, a wrong type
 * or a split that does not add up to 100 makes the whole file invalid, with a message that says where. Format
 * {@code bascule-state/2} adds {@code rollouts}; a {@code bascule-state/1} file (without them) is still read.
 *
 * <pre>
 * {
 *   "format": "bascule-state/2", "version": 3, "written_at": "2026-03-14T09:26:53Z",
 *   "splits": [ { "route": "app", "weights": { "web-blue": 80, "web-green": 20 },
 *                 "file_weights": { "web-blue": 90, "web-green": 10 }, "at": "..." } ],
 *   "servers": [ { "upstream": "web-blue", "address": "127.0.0.1:9005", "change": "added", "weight": 1,
 *                  "file_weight": null, "at": "..." } ],
 *   "rollouts": [ { "route": "app", "to": "web-green", "steps": [5, 25, 50, 100], "step_interval_ms": 30000,
 *                   "guard": { "max_error_rate": 0.01, "max_p99_ratio": 1.5, "min_requests": 100 },
 *                   "before": { "web-blue": 90, "web-green": 10 }, "phase": "running", "step": 1, "share": 25,
 *                   "started_at": "...", "step_started_at": "...", "paused_elapsed_ms": 0, "ended_at": null,
 *                   "reason": null } ]
 * }
 * </pre>
 *
 * <p>Stateless; the mapper is configured once, before it is shared.
 */
public final class StateJson {
    static final String FORMAT = "bascule-state/2";
    /** The format before rollouts were kept; read, never written. */
    static final String FORMAT_1 = "bascule-state/1";
    private static final Set<String> TOP_1 = Set.of("format", "version", "written_at", "splits", "servers");
    private static final Set<String> TOP = Set.of("format", "version", "written_at", "splits", "servers",
            "rollouts");
    private static final Set<String> ROLLOUT = Set.of("route", "to", "steps", "step_interval_ms", "guard", "before",
            "phase", "step", "share", "started_at", "step_started_at", "paused_elapsed_ms", "ended_at", "reason");
    private static final Set<String> GUARD = Set.of("max_error_rate", "max_p99_ratio", "min_requests");
    private static final Set<String> SPLIT = Set.of("route", "weights", "file_weights", "at");
    private static final Set<String> SERVER = Set.of("upstream", "address", "change", "weight", "file_weight", "at");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private StateJson() {}

    public static byte[] write(long version, Instant writtenAt, ReleaseState state) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", version);
        root.put("written_at", writtenAt.toString());
        ArrayNode splits = root.putArray("splits");
        for (SplitChange s : state.splits()) {
            ObjectNode o = splits.addObject();
            o.put("route", s.route());
            ObjectNode w = o.putObject("weights");
            s.weights().forEach(w::put);
            ObjectNode f = o.putObject("file_weights");
            s.fileWeights().forEach(f::put);
            o.put("at", s.at().toString());
        }
        ArrayNode servers = root.putArray("servers");
        for (ServerChange s : state.servers()) {
            ObjectNode o = servers.addObject();
            o.put("upstream", s.upstream());
            o.put("address", s.address());
            o.put("change", s.kind().label());
            o.put("weight", s.weight());
            o.put("file_weight", s.fileWeight());
            o.put("at", s.at().toString());
        }
        ArrayNode rollouts = root.putArray("rollouts");
        for (RolloutState r : state.rollouts()) {
            writeRollout(rollouts.addObject(), r);
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e); // a tree always serializes
        }
    }

    /** @throws StateStoreException naming what is wrong and where */
    public static Versioned read(byte[] bytes) throws StateStoreException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new StateStoreException("not valid JSON (a write cut short?): " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new StateStoreException("unreadable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new StateStoreException("not a JSON object (empty, or a write cut short?)");
        }
        JsonNode formatNode = root.get("format");
        String format = formatNode != null && formatNode.isTextual() ? formatNode.textValue() : null;
        if (format != null && !FORMAT.equals(format) && !FORMAT_1.equals(format)) {
            throw new StateStoreException("format '" + format + "' is not " + FORMAT + " (nor " + FORMAT_1 + ")");
        }
        boolean first = FORMAT_1.equals(format);
        fields(root, first ? TOP_1 : TOP, "the state");
        text(root, "format", "the state");
        long version = integer(root, "version", "the state", 1, Long.MAX_VALUE);
        instant(root, "written_at", "the state");
        List<SplitChange> splits = new ArrayList<>();
        int i = 0;
        for (JsonNode s : array(root, "splits")) {
            String where = "splits[" + i++ + "]";
            fields(s, SPLIT, where);
            Map<String, Integer> weights = weights(s, "weights", where);
            Map<String, Integer> fileWeights = weights(s, "file_weights", where);
            if (!weights.keySet().equals(fileWeights.keySet())) {
                throw new StateStoreException(where + ": weights and file_weights name different upstreams");
            }
            splits.add(new SplitChange(text(s, "route", where), weights, fileWeights, instant(s, "at", where)));
        }
        List<ServerChange> servers = new ArrayList<>();
        i = 0;
        for (JsonNode s : array(root, "servers")) {
            String where = "servers[" + i++ + "]";
            fields(s, SERVER, where);
            ServerChange.Kind kind = kind(text(s, "change", where), where);
            JsonNode file = s.get("file_weight");
            Integer fileWeight = file.isNull() ? null : (int) integer(s, "file_weight", where, 1, 1000);
            servers.add(new ServerChange(text(s, "upstream", where), text(s, "address", where), kind,
                    (int) integer(s, "weight", where, 0, 1000), fileWeight, instant(s, "at", where)));
        }
        List<RolloutState> rollouts = new ArrayList<>();
        if (!first) {
            i = 0;
            for (JsonNode r : array(root, "rollouts")) {
                rollouts.add(readRollout(r, "rollouts[" + i++ + "]"));
            }
        }
        return new Versioned(version, new ReleaseState(splits, servers, rollouts));
    }

    private static void writeRollout(ObjectNode o, RolloutState r) {
        o.put("route", r.route());
        o.put("to", r.plan().to());
        ArrayNode steps = o.putArray("steps");
        r.plan().steps().forEach(steps::add);
        o.put("step_interval_ms", r.plan().stepIntervalMillis());
        RolloutPlan.Guard g = r.plan().guard();
        o.putObject("guard").put("max_error_rate", g.maxErrorRate()).put("max_p99_ratio", g.maxP99Ratio())
                .put("min_requests", g.minRequests());
        ObjectNode before = o.putObject("before");
        r.before().forEach(before::put);
        o.put("phase", r.phase().label());
        o.put("step", r.step());
        o.put("share", r.share());
        o.put("started_at", Instant.ofEpochMilli(r.startedAtMillis()).toString());
        o.put("step_started_at", Instant.ofEpochMilli(r.stepStartedAtMillis()).toString());
        o.put("paused_elapsed_ms", r.pausedElapsedMillis());
        if (r.endedAtMillis() == 0) {
            o.putNull("ended_at");
        } else {
            o.put("ended_at", Instant.ofEpochMilli(r.endedAtMillis()).toString());
        }
        o.put("reason", r.reason());
    }

    /** A rollout as kept; the figures of its step are not kept (a resumed step counts from its resumption). */
    private static RolloutState readRollout(JsonNode r, String where) throws StateStoreException {
        fields(r, ROLLOUT, where);
        JsonNode stepsNode = array(r, "steps");
        List<Integer> steps = new ArrayList<>();
        for (JsonNode s : stepsNode) {
            if (!s.isIntegralNumber() || !s.canConvertToInt()) {
                throw new StateStoreException(where + ": 'steps' must be a list of integers");
            }
            steps.add(s.intValue());
        }
        JsonNode g = r.get("guard");
        fields(g, GUARD, where + ".guard");
        RolloutPlan plan;
        try {
            plan = new RolloutPlan(text(r, "to", where), steps,
                    integer(r, "step_interval_ms", where, 1, Long.MAX_VALUE),
                    new RolloutPlan.Guard(number(g, "max_error_rate", where), number(g, "max_p99_ratio", where),
                            integer(g, "min_requests", where, 1, Long.MAX_VALUE)));
        } catch (IllegalArgumentException e) {
            throw new StateStoreException(where + ": " + e.getMessage());
        }
        Map<String, Integer> before = weights(r, "before", where);
        if (!before.containsKey(plan.to())) {
            throw new StateStoreException(where + ": 'before' has no weight for '" + plan.to() + "'");
        }
        RolloutState.Phase phase = phase(text(r, "phase", where), where);
        int step = (int) integer(r, "step", where, 0, steps.size() - 1);
        int share = (int) integer(r, "share", where, 0, 100);
        long ended = r.get("ended_at").isNull() ? 0 : instant(r, "ended_at", where).toEpochMilli();
        if (phase.over() != (ended != 0)) {
            throw new StateStoreException(where + ": 'ended_at' must be set exactly when the rollout is over");
        }
        JsonNode reason = r.get("reason");
        if (!reason.isNull() && !reason.isTextual()) {
            throw new StateStoreException(where + ": 'reason' must be a string or null");
        }
        return new RolloutState(text(r, "route", where), plan, before, phase, step, share,
                instant(r, "started_at", where).toEpochMilli(), instant(r, "step_started_at", where).toEpochMilli(),
                integer(r, "paused_elapsed_ms", where, 0, Long.MAX_VALUE), ended,
                reason.isNull() ? null : reason.textValue(), StepFigures.NONE, StepFigures.NONE);
    }

    private static double number(JsonNode o, String field, String where) throws StateStoreException {
        JsonNode n = o.get(field);
        if (!n.isNumber()) {
            throw new StateStoreException(where + ": '" + field + "' must be a number");
        }
        return n.doubleValue();
    }

    private static RolloutState.Phase phase(String text, String where) throws StateStoreException {
        for (RolloutState.Phase p : RolloutState.Phase.values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        throw new StateStoreException(where + ": unknown phase '" + text + "', expected running, paused, done,"
                + " rolled_back or aborted");
    }

    private static void fields(JsonNode o, Set<String> allowed, String where) throws StateStoreException {
        if (!o.isObject()) {
            throw new StateStoreException(where + " is not an object");
        }
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new StateStoreException(where + ": unknown field '" + name + "'");
            }
        }
        for (String name : allowed) {
            if (!o.has(name)) {
                throw new StateStoreException(where + ": missing field '" + name + "'");
            }
        }
    }

    private static String text(JsonNode o, String field, String where) throws StateStoreException {
        JsonNode n = o.get(field);
        if (!n.isTextual() || n.textValue().isEmpty()) {
            throw new StateStoreException(where + ": '" + field + "' must be a non-empty string");
        }
        return n.textValue();
    }

    private static long integer(JsonNode o, String field, String where, long min, long max)
            throws StateStoreException {
        JsonNode n = o.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw new StateStoreException(where + ": '" + field + "' must be an integer from " + min + " to " + max);
        }
        return n.longValue();
    }

    private static Instant instant(JsonNode o, String field, String where) throws StateStoreException {
        String text = text(o, field, where);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new StateStoreException(where + ": '" + field + "' is not an ISO-8601 instant: " + text);
        }
    }

    private static JsonNode array(JsonNode o, String field) throws StateStoreException {
        JsonNode n = o.get(field);
        if (!n.isArray()) {
            throw new StateStoreException("'" + field + "' must be a list");
        }
        return n;
    }

    private static Map<String, Integer> weights(JsonNode o, String field, String where) throws StateStoreException {
        JsonNode n = o.get(field);
        if (!n.isObject() || n.size() < 2) {
            throw new StateStoreException(where + ": '" + field + "' must map two upstreams or more to weights");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        int total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode w = e.getValue();
            if (!w.isIntegralNumber() || !w.canConvertToInt() || w.intValue() < 0 || w.intValue() > 100) {
                throw new StateStoreException(where + ": weight of '" + e.getKey() + "' must be an integer from 0"
                        + " to 100");
            }
            weights.put(e.getKey(), w.intValue());
            total += w.intValue();
        }
        if (total != 100) {
            throw new StateStoreException(where + ": '" + field + "' add up to " + total + ", not 100");
        }
        return weights;
    }

    private static ServerChange.Kind kind(String text, String where) throws StateStoreException {
        for (ServerChange.Kind k : ServerChange.Kind.values()) {
            if (k.label().equals(text)) {
                return k;
            }
        }
        throw new StateStoreException(where + ": unknown change '" + text + "', expected added, removed, weight or"
                + " drained");
    }
}
