package dev.bascule.proxy;

import dev.bascule.control.ProxySettings;

/**
 * The {@code Via} field an intermediary adds to every message it forwards, both ways (RFC 9110 7.6.3): one
 * element per hop, {@code received-protocol SP received-by}, where the protocol is the version in which this
 * hop received the message, with the protocol name left out for HTTP ({@code 1.1 bascule}), and received-by is
 * Bascule's pseudonym. The element goes after those already present, so the field lists the hops in order.
 *
 * <p>Immutable; one instance per pseudonym for the whole process, its HTTP/1.0 and HTTP/1.1 elements built once,
 * so that forwarding allocates nothing unless the message already had a Via, and an idle connection keeps none.
 */
final class Via {
    /**
     * The instance of the pseudonym last asked for; read and written by every event loop. Racing threads may each
     * build one for a new pseudonym: they are equal, and one of them stays.
     */
    private static volatile Via last;

    private final String pseudonym;
    private final String http10;
    private final String http11;

    /** @param pseudonym a token (RFC 9110 5.6.2), checked when the config was loaded */
    Via(String pseudonym) {
        this.pseudonym = pseudonym;
        this.http10 = "1.0 " + pseudonym;
        this.http11 = "1.1 " + pseudonym;
    }

    String pseudonym() {
        return pseudonym;
    }

    /**
     * The Via builder for {@code settings}: the one last used when it has their pseudonym (so requests build
     * nothing), a new one on first use or after a reload renamed Bascule; null when Via is off.
     */
    static Via of(ProxySettings settings) {
        String pseudonym = settings.via();
        if (pseudonym == null) {
            return null;
        }
        Via v = last;
        if (v == null || !v.pseudonym.equals(pseudonym)) {
            v = new Via(pseudonym);
            last = v;
        }
        return v;
    }

    /** This hop's element for a message received as HTTP/{@code major}.{@code minor}. */
    String element(int major, int minor) {
        if (major == 1 && minor == 1) {
            return http11;
        }
        if (major == 1 && minor == 0) {
            return http10;
        }
        // HTTP/2 and later name their version by its major number alone (RFC 9113 3, RFC 9114 1).
        return (major >= 2 && minor == 0 ? Integer.toString(major) : major + "." + minor) + " " + pseudonym;
    }

    /**
     * The Via value to send: {@code element} appended to the received value as a further list element (RFC 9110
     * 5.6.1), or alone when there was none.
     *
     * @param received the value received, its field lines already joined with commas; null when absent
     */
    static String appended(String received, String element) {
        if (received == null || isBlank(received)) {
            return element;
        }
        return received + ", " + element;
    }

    private static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != ',') {
                return false;
            }
        }
        return true;
    }
}
