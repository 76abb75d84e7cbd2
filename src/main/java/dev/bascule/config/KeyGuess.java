package dev.bascule.config;

import java.util.List;

/** Suggests the allowed key a misspelt one was probably meant to be ({@code adress} -> {@code address}). */
final class KeyGuess {
    private KeyGuess() {}

    /** The allowed key within edit distance 2 of {@code key} (the nearest, first on ties), or null.
     * A distance as long as the key itself is no resemblance, so very short keys get no guess. */
    static String closest(String key, List<String> allowed) {
        if (key.length() > 64) {
            return null;
        }
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = distance(key, candidate);
            if (d < bestDistance && d < key.length()) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
