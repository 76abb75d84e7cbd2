package dev.bascule.admin;

import dev.bascule.control.CommandException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query of a request target as named parameters, decoded as a browser's form encodes them
 * (application/x-www-form-urlencoded, WHATWG URL 5.1): {@code +} is a space, {@code %XX} a UTF-8 byte. A plus
 * sign in a value is written {@code %2B}.
 *
 * <p>Immutable.
 */
final class QueryParameters {
    private final Map<String, List<String>> values;

    private QueryParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * @param target the request target; what follows its first {@code ?} (up to a {@code #}) is the query
     * @param known the parameter names accepted: any other is a mistake worth a 400, not something to ignore
     * @throws CommandException 400 for an unknown name or a malformed percent-escape
     */
    static QueryParameters of(String target, List<String> known) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        int question = target.indexOf('?');
        if (question >= 0) {
            int hash = target.indexOf('#', question);
            String query = target.substring(question + 1, hash < 0 ? target.length() : hash);
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!known.contains(name)) {
                    throw new CommandException(400, "unknown parameter '" + name + "', expected one of "
                            + String.join(", ", known));
                }
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new QueryParameters(values);
    }

    /**
     * The one value of {@code name}, or null when absent.
     *
     * @throws CommandException 400 when it is given more than once
     */
    String single(String name) {
        List<String> list = values.get(name);
        if (list == null) {
            return null;
        }
        if (list.size() > 1) {
            throw new CommandException(400, "parameter '" + name + "' given " + list.size() + " times, expected once");
        }
        return list.get(0);
    }

    /** Every value of {@code name}, in order; empty when absent. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    private static String decode(String text) {
        try {
            return RequestPath.decode(text.replace('+', ' '));
        } catch (CommandException e) {
            throw new CommandException(400, "bad percent-encoding in the query: '" + text + "'");
        }
    }
}
