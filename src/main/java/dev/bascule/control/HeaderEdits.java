package dev.bascule.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A route's edits of one message's header fields, compiled for the data plane: names removed, then fields set
 * (replacing every field of that name), then fields added (one more field line). Names are lower case; the
 * config refused hop-by-hop and framing fields, so an edit can never change how a message is framed.
 *
 * <p>Immutable; part of a snapshot. The lists are read by index, so applying the edits allocates nothing.
 *
 * @param remove names of the fields removed
 * @param set fields set, each replacing every field of its name
 * @param add fields added after those already there
 */
public record HeaderEdits(List<String> remove, List<Field> set, List<Field> add) {
    /** No edit. */
    public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of());

    /** One field: a lower-case name and a fixed value. */
    public record Field(String name, String value) {}

    public HeaderEdits {
        remove = List.copyOf(remove);
        set = List.copyOf(set);
        add = List.copyOf(add);
    }

    /** From the config's maps (already checked); {@link #NONE} when all are empty. */
    public static HeaderEdits of(Map<String, String> set, Map<String, String> add, List<String> remove) {
        if (set.isEmpty() && add.isEmpty() && remove.isEmpty()) {
            return NONE;
        }
        return new HeaderEdits(remove, fields(set), fields(add));
    }

    private static List<Field> fields(Map<String, String> map) {
        List<Field> fields = new ArrayList<>(map.size());
        map.forEach((name, value) -> fields.add(new Field(name, value)));
        return fields;
    }

    public boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }
}
