package dev.bascule.state;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A route's split weights set through the admin API.
 *
 * <p>Immutable.
 *
 * @param route the route's {@code name}
 * @param weights by upstream, in the split's order; they add up to 100
 * @param fileWeights the file's weights when the change was made: while the file still says this, the change
 *     stands; once the file says otherwise, the file wins
 * @param at when it was made
 */
public record SplitChange(String route, Map<String, Integer> weights, Map<String, Integer> fileWeights,
        Instant at) {

    public SplitChange {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        fileWeights = Collections.unmodifiableMap(new LinkedHashMap<>(fileWeights));
    }
}
