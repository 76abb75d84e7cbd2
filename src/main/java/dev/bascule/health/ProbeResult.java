package dev.bascule.health;

/**
 * The outcome of one health probe.
 *
 * <p>Immutable.
 *
 * @param passed the server answered in time with an expected status
 * @param problem why the probe failed, short and human ("connect refused", "timeout after 1000 ms", "status
 *     500"); null when it passed
 */
public record ProbeResult(boolean passed, String problem) {
    private static final ProbeResult PASS = new ProbeResult(true, null);

    public static ProbeResult pass() {
        return PASS;
    }

    public static ProbeResult fail(String problem) {
        return new ProbeResult(false, problem);
    }
}
