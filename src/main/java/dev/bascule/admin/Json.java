package dev.bascule.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.CommandException;
import java.io.IOException;

/**
 * The admin API's JSON: one strictly configured mapper, request bodies read as trees, replies written from trees
 * (field names are spelled out where the tree is built, never derived from Java names).
 *
 * <p>Thread-safe: the mapper is configured once, before it is shared.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // "{"weight": 2} garbage" and {"weight": 1, "weight": 2} are mistakes, not requests to guess.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e); // a tree always serializes
        }
    }

    /**
     * Reads a request body that must be one JSON object.
     *
     * @throws CommandException 400 when it is empty, malformed or not an object
     */
    static ObjectNode readObject(byte[] body) {
        if (body.length == 0) {
            throw badBody("empty body, expected a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation(); // null for some limits (nesting depth, number length)
            throw badBody("malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw badBody("unreadable body: " + e.getMessage()); // a byte array does not fail to read
        }
        if (!(node instanceof ObjectNode object)) {
            throw badBody("expected a JSON object");
        }
        return object;
    }

    static CommandException badBody(String message) {
        return new CommandException(400, message);
    }
}
