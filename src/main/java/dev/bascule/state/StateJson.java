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
 * or a split that does not add up to 100 makes the whole file invalid, with a message that says where.
 *
 * <pre>
 * {
 *   "format": "bascule-state/1", "version": 3, "written_at": "2026-03-14T09:26:53Z",
 *   "splits": [ { "route": "app", "weights": { "web-blue": 80, "web-green": 20 },
 *                 "file_weights": { "web-blue": 90, "web-green": 10 }, "at": "..." } ],
 *   "servers": [ { "upstream": "web-blue", "address": "127.0.0.1:9005", "change": "added", "weight": 1,
 *                  "file_weight": null, "at": "..." } ]
 * }
 * </pre>
 *
 * <p>Stateless; the mapper is configured once, before it is shared.
 */
final class StateJson {
    static final String FORMAT = "bascule-state/1";
    private static final Set<String> TOP = Set.of("format", "version", "written_at", "splits", "servers");
    private static final Set<String> SPLIT = Set.of("route", "weights", "file_weights", "at");
    private static final Set<String> SERVER = Set.of("upstream", "address", "change", "weight", "file_weight", "at");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private StateJson() {}

    static byte[] write(long version, Instant writtenAt, ReleaseState state) {
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
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e); // a tree always serializes
        }
    }

    /** @throws StateStoreException naming what is wrong and where */
    static Versioned read(byte[] bytes) throws StateStoreException {
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
        fields(root, TOP, "the state");
        String format = text(root, "format", "the state");
        if (!FORMAT.equals(format)) {
            throw new StateStoreException("format '" + format + "' is not " + FORMAT);
        }
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
        return new Versioned(version, new ReleaseState(splits, servers));
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
