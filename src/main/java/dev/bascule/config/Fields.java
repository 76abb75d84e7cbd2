package dev.bascule.config;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A strict view of one YAML mapping for the binder: opening it reports unknown keys, and each getter reports a
 * missing key, a wrong type or a bad value at the right position, then returns a fallback so binding goes on
 * and later errors are found too. An explicit empty value ({@code key:} or {@code key: ~}) counts as absent.
 */
final class Fields {
    private final YamlNode.Mapping mapping;
    private final String label;
    private final Problems problems;

    private Fields(YamlNode.Mapping mapping, String label, Problems problems) {
        this.mapping = mapping;
        this.label = label;
        this.problems = problems;
    }

    /**
     * Opens {@code node} as a mapping that may hold only {@code allowed} keys.
     *
     * @param label how the mapping reads in messages: "the config", "a listener", "upstream 'web-blue'"
     * @return null, after reporting, when {@code node} is not a mapping
     */
    static Fields open(YamlNode node, String label, Problems problems, List<String> allowed) {
        if (!(node instanceof YamlNode.Mapping m)) {
            problems.add(node.mark(), label + " must be a mapping, found " + node.describe());
            return null;
        }
        for (YamlNode.Entry e : m.entries()) {
            if (!allowed.contains(e.key())) {
                String guess = KeyGuess.closest(e.key(), allowed);
                problems.add(e.keyMark(), "unknown key '" + e.key() + "' in " + label
                        + (guess == null ? "" : " (did you mean '" + guess + "'?)")
                        + "; allowed keys: " + String.join(", ", allowed));
            }
        }
        return new Fields(m, label, problems);
    }

    YamlNode.Mark mark() {
        return mapping.mark();
    }

    /** Where {@code key} is written; the mapping's own position when the key is absent. */
    YamlNode.Mark keyMark(String key) {
        YamlNode.Entry e = mapping.entry(key);
        return e == null ? mapping.mark() : e.keyMark();
    }

    /** Where the value of {@code key} is written; the key's position when the value is empty or absent. */
    YamlNode.Mark valueMark(String key) {
        YamlNode value = node(key);
        return value == null ? keyMark(key) : value.mark();
    }

    /** The value of {@code key}, or null when the key is absent or has an empty value. */
    YamlNode node(String key) {
        YamlNode.Entry e = mapping.entry(key);
        if (e == null || e.value() instanceof YamlNode.Scalar s && s.isNull()) {
            return null;
        }
        return e.value();
    }

    /** Like {@link #node} but reports a missing key (at this mapping) or an empty value (at the key). */
    YamlNode required(String key) {
        YamlNode value = node(key);
        if (value == null) {
            YamlNode.Entry e = mapping.entry(key);
            if (e == null) {
                problems.add(mapping.mark(), "missing '" + key + "' in " + label);
            } else {
                problems.add(e.keyMark(), "'" + key + "' needs a value");
            }
        }
        return value;
    }

    /** The text of a scalar value, or null when absent or (after reporting) not a scalar. */
    String text(String key) {
        return scalarText(key, node(key));
    }

    String requiredText(String key) {
        return scalarText(key, required(key));
    }

    /**
     * Parses the scalar at {@code key} with {@code parser}, whose IllegalArgumentException message becomes the
     * error (at the value). Returns {@code fallback} when the key is absent or the value is bad.
     */
    <T> T parsed(String key, Function<String, T> parser, T fallback) {
        return parse(node(key), key, parser, fallback);
    }

    <T> T parsedRequired(String key, Function<String, T> parser) {
        return parse(required(key), key, parser, null);
    }

    Duration duration(String key, Duration fallback) {
        return parsed(key, Units::parseDuration, fallback);
    }

    int size(String key, int fallback) {
        return parsed(key, Units::parseSize, fallback);
    }

    boolean bool(String key, boolean fallback) {
        YamlNode value = node(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            return Boolean.parseBoolean(s.text()); // true, True or TRUE; ignores case
        }
        problems.add(value.mark(), "'" + key + "' must be true or false, found " + describeValue(value));
        return fallback;
    }

    /** A list value, or null when absent or (after reporting) not a list. */
    YamlNode.Sequence sequence(YamlNode value, String key) {
        if (value == null) {
            return null;
        }
        if (value instanceof YamlNode.Sequence s) {
            return s;
        }
        problems.add(value.mark(), "'" + key + "' must be a list, found " + value.describe());
        return null;
    }

    private <T> T parse(YamlNode value, String key, Function<String, T> parser, T fallback) {
        String text = scalarText(key, value);
        if (text == null) {
            return fallback;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            problems.add(value.mark(), e.getMessage());
            return fallback;
        }
    }

    private String scalarText(String key, YamlNode value) {
        if (value == null) {
            return null;
        }
        if (value instanceof YamlNode.Scalar s) {
            return s.text();
        }
        problems.add(value.mark(), "'" + key + "' must be a single value, found " + value.describe());
        return null;
    }

    private static String describeValue(YamlNode value) {
        return value instanceof YamlNode.Scalar s ? "'" + s.text() + "'" : value.describe();
    }
}
