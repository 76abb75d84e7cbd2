package dev.bascule.nginx;

import java.util.List;

/**
 * One directive of an nginx config: its name, its arguments with quotes and escapes resolved, the line it starts
 * on, and the directives of its block ({@code server { ... }}); {@code block} is null for a simple directive
 * ending with {@code ;}.
 *
 * <p>Immutable.
 */
record Directive(String name, List<String> args, int line, List<Directive> block) {

    Directive {
        args = List.copyOf(args);
        block = block == null ? null : List.copyOf(block);
    }

    boolean isBlock() {
        return block != null;
    }

    /** The argument at {@code i}, or null when there are fewer. */
    String arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }

    /** The directives named {@code name} in this block, in order; empty for a simple directive. */
    List<Directive> children(String name) {
        return block == null ? List.of() : block.stream().filter(d -> d.name.equals(name)).toList();
    }

    /** The last directive named {@code name} in this block (nginx lets the last one of a setting win), or null. */
    Directive last(String name) {
        List<Directive> all = children(name);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The directive as nginx would print it, shortened: {@code proxy_pass http://web-blue/}. */
    String text() {
        return args.isEmpty() ? name : name + " " + String.join(" ", args);
    }
}
