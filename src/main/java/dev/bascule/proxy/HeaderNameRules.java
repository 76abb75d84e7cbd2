package dev.bascule.proxy;

import dev.bascule.control.UnderscoreHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * Request header names that an origin may read as another header. Field names are case-insensitive (RFC 9110
 * 5.1), and CGI (RFC 3875 4.1.18), WSGI (PEP 3333) and the servers built on them hand headers to the
 * application as {@code HTTP_*} variables with {@code -} turned into {@code _}; some also squeeze repeated
 * hyphens. So {@code Transfer_Encoding} reaches such an application as the framing header Bascule judged
 * absent, and {@code X_Forwarded_For} as the client address Bascule vouches for. A name that <em>folds</em> into
 * one of those (lower case, {@code _} as {@code -}, runs of {@code -} as one) without being it is dropped; other
 * names with an underscore follow {@link UnderscoreHeaders} (as Envoy's {@code headers_with_underscores_action}).
 *
 * <p>The rules see names only, so every protocol's request path can apply them. Stateless; allocates nothing.
 */
final class HeaderNameRules {
    /** What to do with one request header. */
    enum Verdict {
        KEEP,
        /** Folds into a protected name: dropped whatever the policy (logged at debug by the caller). */
        DROP_LOOKALIKE,
        /** Has an underscore and the policy is {@link UnderscoreHeaders#DROP}. */
        DROP,
        /** Has an underscore and the policy is {@link UnderscoreHeaders#REJECT}: answer 400. */
        REJECT
    }

    /**
     * Names a look-alike must not stand in for, lower case: the framing fields (RFC 9112 6.1, 6.2), Host (RFC
     * 9110 7.2) and the hop-by-hop fields Bascule removes (RFC 9110 7.6.1; {@link HeaderRules}).
     */
    private static final CharSequence[] PROTECTED;
    /** The forwarding fields Bascule sets or vouches for, by prefix: every {@code X-Forwarded-*}. */
    private static final String FORWARDED_PREFIX = "x-forwarded-";

    static {
        CharSequence[] hop = HeaderRules.hopByHopNames();
        PROTECTED = new CharSequence[hop.length + 2];
        PROTECTED[0] = HttpHeaderNames.CONTENT_LENGTH;
        PROTECTED[1] = HttpHeaderNames.HOST;
        System.arraycopy(hop, 0, PROTECTED, 2, hop.length);
    }

    private HeaderNameRules() {}

    /**
     * The cheap first look, one pass without allocation: only a name with an underscore or two hyphens in a row
     * can fold into another. Every other name is kept without further work.
     */
    static boolean mayFold(CharSequence name) {
        boolean hyphen = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' || (c == '-' && hyphen)) {
                return true;
            }
            hyphen = c == '-';
        }
        return false;
    }

    /** What to do with a request header called {@code name} under {@code policy}. */
    static Verdict judge(CharSequence name, UnderscoreHeaders policy) {
        if (!mayFold(name)) {
            return Verdict.KEEP;
        }
        if (foldsIntoProtected(name)) {
            return Verdict.DROP_LOOKALIKE;
        }
        if (policy == UnderscoreHeaders.ALLOW || !hasUnderscore(name)) {
            return Verdict.KEEP;
        }
        return policy == UnderscoreHeaders.DROP ? Verdict.DROP : Verdict.REJECT;
    }

    /**
     * Whether {@code name}, folded, is a protected name or starts with {@code x-forwarded-}. Only meaningful for
     * a name {@link #mayFold} accepts: a protected name itself has no underscore and no double hyphen, so a
     * match means the name differs from it other than in case.
     */
    static boolean foldsIntoProtected(CharSequence name) {
        for (CharSequence p : PROTECTED) {
            if (foldsTo(name, p, false)) {
                return true;
            }
        }
        return foldsTo(name, FORWARDED_PREFIX, true);
    }

    static boolean hasUnderscore(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        return false;
    }

    /**
     * Compares {@code name}, folded as it goes, with {@code target} (lower case, single hyphens): equal, or, when
     * {@code prefix}, starting with it.
     */
    private static boolean foldsTo(CharSequence name, CharSequence target, boolean prefix) {
        int t = 0;
        boolean hyphen = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' || c == '-') {
                if (hyphen) {
                    continue; // a run of hyphens reads as one
                }
                hyphen = true;
                c = '-';
            } else {
                hyphen = false;
                if (c >= 'A' && c <= 'Z') {
                    c = (char) (c + ('a' - 'A'));
                }
            }
            if (t == target.length()) {
                return prefix;
            }
            if (target.charAt(t++) != c) {
                return false;
            }
        }
        return t == target.length();
    }
}
