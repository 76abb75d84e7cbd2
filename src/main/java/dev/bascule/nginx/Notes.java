package dev.bascule.nginx;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the import could not translate, one line each, in the form {@code nginx.conf:LINE: directive 'x' not
 * translated: reason}, for stderr. Semantic differences of what was translated go into the YAML as comments
 * instead.
 *
 * <p>Not thread-safe: one import.
 */
final class Notes {
    private final String file;
    /** In the order found; a directive inherited by several locations is reported once. */
    private final Set<String> lines = new LinkedHashSet<>();

    Notes(String file) {
        this.file = file;
    }

    /** {@code d} is not translated, for {@code reason}. */
    void skip(Directive d, String reason) {
        lines.add(file + ":" + d.line() + ": directive '" + d.name() + "' not translated: " + reason);
    }

    /** {@code d} and every directive of its block are not translated; the ones inside say where they are. */
    void skipTree(Directive d, String reason) {
        skip(d, reason);
        if (d.isBlock()) {
            String inside = "inside '" + d.name() + "' (line " + d.line() + "), which is not translated";
            for (Directive child : d.block()) {
                String own = Reasons.of(child.name());
                skipTree(child, own.equals(Reasons.NONE) || d.name().equals("if") ? inside : own);
            }
        }
    }

    /** Where a directive is written, for comments: {@code nginx.conf:21}. */
    String at(Directive d) {
        return file + ":" + d.line();
    }

    String file() {
        return file;
    }

    /** Every note, by line (stable: notes of one line keep the order they were found in). */
    List<String> lines() {
        List<String> sorted = new java.util.ArrayList<>(lines);
        sorted.sort(java.util.Comparator.comparingInt(Notes::lineOf));
        return List.copyOf(sorted);
    }

    private static int lineOf(String note) {
        int end = note.indexOf(": directive '");
        int start = note.lastIndexOf(':', end - 1) + 1;
        return Integer.parseInt(note.substring(start, end));
    }
}
