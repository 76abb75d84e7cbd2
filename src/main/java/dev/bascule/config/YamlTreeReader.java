package dev.bascule.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads YAML text into a located {@link YamlNode} tree with Jackson's streaming parser. Binding happens later,
 * in {@link ConfigBinder}; this class only knows YAML.
 *
 * <p>A syntax error stops reading and is reported alone. Duplicate keys and aliases do not stop reading: they
 * go to {@link Problems} with the binder's errors. One instance reads one text on one thread.
 */
final class YamlTreeReader {

    /**
     * Shared: a configured factory is thread-safe. Plain {@code key:} with no value reads as null, not "";
     * only {@code true}/{@code false} are booleans (YAML 1.2), so {@code on}, {@code yes} and {@code n} stay
     * strings instead of silently turning into booleans (the YAML 1.1 "Norway problem").
     */
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
            .build();

    /** A guard for our own recursion; SnakeYAML's nesting limit (50) normally stops a document first. */
    private static final int MAX_DEPTH = 100;

    private final Problems problems;
    private JsonParser parser;

    YamlTreeReader(Problems problems) {
        this.problems = problems;
    }

    /**
     * Returns the document's root node, or null when the document is empty (nothing but comments, or a lone
     * null).
     *
     * @throws ConfigException with a single error when the text is not well-formed YAML
     */
    YamlNode read(String text) throws ConfigException {
        try (JsonParser p = FACTORY.createParser(text)) {
            parser = p;
            JsonToken first = next();
            if (first == null) {
                return null;
            }
            YamlNode root = readValue(first, 0);
            if (next() != null) {
                problems.add(mark(), "only one YAML document is allowed; remove the second '---' section");
            }
            return root instanceof YamlNode.Scalar s && s.isNull() ? null : root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw single(lastMark(), "cannot parse YAML: " + firstLine(e.getMessage())); // a String source does no real I/O
        } finally {
            parser = null;
        }
    }

    private YamlNode readValue(JsonToken token, int depth) throws IOException, ConfigException {
        if (token == null) {
            throw single(lastMark(), "unexpected end of YAML");
        }
        YamlNode.Mark mark = mark();
        if (depth > MAX_DEPTH) {
            throw single(mark, "YAML is nested too deeply (more than " + MAX_DEPTH + " levels)");
        }
        switch (token) {
            case START_OBJECT:
                return readMapping(mark, depth);
            case START_ARRAY:
                return readSequence(mark, depth);
            case VALUE_STRING:
                if (((YAMLParser) parser).isCurrentAlias()) {
                    problems.add(mark, "YAML aliases (*" + parser.getText() + ") are not supported; write the value out");
                }
                return scalar(mark, YamlNode.Scalar.Type.STRING);
            case VALUE_NUMBER_INT:
                return scalar(mark, YamlNode.Scalar.Type.INT);
            case VALUE_NUMBER_FLOAT:
                return scalar(mark, YamlNode.Scalar.Type.FLOAT);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return scalar(mark, YamlNode.Scalar.Type.BOOLEAN);
            case VALUE_NULL:
                return new YamlNode.Scalar(mark, "", YamlNode.Scalar.Type.NULL);
            default:
                // VALUE_EMBEDDED_OBJECT (!!binary) and anything else Jackson may produce.
                throw single(mark, "unsupported YAML value (" + token + ")");
        }
    }

    private YamlNode.Scalar scalar(YamlNode.Mark mark, YamlNode.Scalar.Type type) throws IOException {
        String text = parser.getText();
        return new YamlNode.Scalar(mark, text == null ? "" : text, type);
    }

    private YamlNode.Mapping readMapping(YamlNode.Mark mark, int depth) throws IOException, ConfigException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        JsonToken t;
        while ((t = next()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            YamlNode.Mark keyMark = mark();
            YamlNode value = readValue(next(), depth + 1);
            YamlNode.Entry first = find(entries, key);
            // YAML forbids equal keys, and a config that says two things must not silently mean one of them.
            if (first != null) {
                problems.add(keyMark, "duplicate key '" + key + "' (first defined at line " + first.keyMark().line() + ")");
            } else {
                entries.add(new YamlNode.Entry(key, keyMark, value));
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw single(mark(), "malformed YAML mapping");
        }
        return new YamlNode.Mapping(mark, entries);
    }

    private YamlNode.Sequence readSequence(YamlNode.Mark mark, int depth) throws IOException, ConfigException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken t;
        while ((t = next()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw single(mark(), "malformed YAML list");
            }
            items.add(readValue(t, depth + 1));
        }
        return new YamlNode.Sequence(mark, items);
    }

    private static YamlNode.Entry find(List<YamlNode.Entry> entries, String key) {
        for (YamlNode.Entry e : entries) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        return null;
    }

    private JsonToken next() throws IOException, ConfigException {
        try {
            return parser.nextToken();
        } catch (RuntimeException e) {
            // SnakeYAML failing in a way Jackson did not wrap. It still means "this text is not a config we can
            // read", not a crash of the loader, so it is reported like any syntax error.
            throw single(lastMark(), "YAML syntax error: " + firstLine(e.getMessage()));
        }
    }

    private YamlNode.Mark mark() {
        return toMark(parser.currentTokenLocation());
    }

    private YamlNode.Mark lastMark() {
        return parser == null ? new YamlNode.Mark(1, 1) : toMark(parser.currentLocation());
    }

    private static YamlNode.Mark toMark(JsonLocation loc) {
        if (loc == null) {
            return new YamlNode.Mark(1, 1);
        }
        return new YamlNode.Mark(Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
    }

    /**
     * SnakeYAML's own "problem" and "problem mark" point at the offending character; Jackson's location is
     * often where the enclosing construct started. The wrapper class is deprecated in 2.x (Jackson 3 drops
     * it) but it is the only way to reach those without depending on SnakeYAML directly.
     */
    @SuppressWarnings("deprecation")
    private ConfigException syntaxError(JsonProcessingException e) {
        YamlNode.Mark at = toMark(e.getLocation());
        String message = firstLine(e.getOriginalMessage());
        if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m) {
            if (m.getProblemMark() != null) {
                at = new YamlNode.Mark(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1);
            }
            if (m.getProblem() != null) {
                message = m.getProblem();
                if (m.getContext() != null && m.getContextMark() != null) {
                    message += " (" + m.getContext() + " that starts at line " + (m.getContextMark().getLine() + 1)
                            + ", column " + (m.getContextMark().getColumn() + 1) + ")";
                }
            }
        }
        return single(at, "YAML syntax error: " + message);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed YAML";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private ConfigException single(YamlNode.Mark at, String message) {
        return new ConfigException(List.of(new ConfigError(problems.file(), at.line(), at.column(), message)));
    }
}
