package dev.bascule.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Binds a route's {@code retry:} for {@link RouteBinder}; same error contract. */
final class RetryBinder {
    static final List<String> RETRY_KEYS = List.of("attempts", "on", "per_try_timeout");
    /** Each try can cost a full response_header wait; more than this only piles load on a failing pool. */
    static final int MAX_ATTEMPTS = 10;

    private final Problems problems;

    RetryBinder(Problems problems) {
        this.problems = problems;
    }

    /** @return {@link RetryConfig#DEFAULTS} when absent; a key left out keeps its default */
    RetryConfig bind(YamlNode node) {
        RetryConfig d = RetryConfig.DEFAULTS;
        Fields f = node == null ? null : Fields.open(node, "'retry'", problems, RETRY_KEYS);
        if (f == null) {
            return d;
        }
        int attempts = f.integer("attempts", 1, MAX_ATTEMPTS, d.attempts());
        // Items arrive as text whatever YAML made of them, so 502 (an integer) and "502" (a string) read alike.
        Set<RetryConfig.RetryOn> on = EnumSet.noneOf(RetryConfig.RetryOn.class);
        on.addAll(f.list("on", RetryConfig.RetryOn::parse, List.copyOf(d.on())));
        return new RetryConfig(attempts, on, f.duration("per_try_timeout", d.perTryTimeout()));
    }
}
