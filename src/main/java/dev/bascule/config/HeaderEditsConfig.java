package dev.bascule.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's {@code request_headers} or {@code response_headers}: fields removed, then set (replacing every field
 * of that name), then added (one more field line), in that order. Names are lower case and appear in one list
 * only; values are fixed strings.
 */
public record HeaderEditsConfig(Map<String, String> set, Map<String, String> add, List<String> remove) {

    public static final HeaderEditsConfig NONE = new HeaderEditsConfig(Map.of(), Map.of(), List.of());

    public HeaderEditsConfig {
        set = set.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(set));
        add = add.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(add));
        remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
}
