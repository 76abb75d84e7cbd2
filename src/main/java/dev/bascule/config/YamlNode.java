package dev.bascule.config;

import java.util.List;

/**
 * The YAML document as a small tree whose every node remembers where it was written, so the binder can
 * point each error at a line and column. Built by {@link YamlTreeReader}; immutable.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** Where the node starts (for a block mapping: its first key; for a flow collection: the bracket). */
    Mark mark();

    /** How the node reads in a message: "a mapping", "a list", "a string", ... */
    String describe();

    /** A 1-based line and column. */
    record Mark(int line, int column) implements Comparable<Mark> {
        @Override
        public int compareTo(Mark o) {
            return line != o.line ? Integer.compare(line, o.line) : Integer.compare(column, o.column);
        }

        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** A key of a mapping with its own position (errors about a key point at the key, not at its value). */
    record Entry(String key, Mark keyMark, YamlNode value) {}

    /** A mapping; keys are unique (the reader reports later duplicates and keeps the first). */
    record Mapping(Mark mark, List<Entry> entries) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        /** The entry for {@code key}, or null. */
        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(Mark mark, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar as written ({@code text} is the source text, e.g. {@code 0x20}, not a converted value). */
    record Scalar(Mark mark, String text, Type type) implements YamlNode {
        enum Type { STRING, INT, FLOAT, BOOLEAN, NULL }

        boolean isNull() {
            return type == Type.NULL;
        }

        @Override
        public String describe() {
            return switch (type) {
                case STRING -> "a string";
                case INT, FLOAT -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "an empty value";
            };
        }
    }
}
