package dev.bascule.trace;

/**
 * Which requests Bascule records a span for. A request whose {@code traceparent} says its caller sampled it is
 * always sampled, so a trace that was recorded upstream is not cut at Bascule (W3C Trace Context 3.2.2.5.1: "If
 * a component needs to make a recording decision - it SHOULD respect the sampled flag value"). Any other request
 * is sampled with probability {@link #fraction}, whether it starts a trace here or continues an unsampled one.
 *
 * <p>Immutable; the random draw is the caller's (the event loop's {@code ThreadLocalRandom}, a seeded generator in
 * tests), so deciding takes no lock and allocates nothing.
 */
public final class Sampler {
    /** Draws are compared on their top 53 bits, the precision of a double in [0, 1). */
    private static final double SCALE = 0x1p53;

    private final double fraction;
    /** A draw's top 53 bits below this is sampled: fraction x 2^53; 2^53 samples every draw. */
    private final long threshold;

    /** @param fraction from 0 (only requests sampled by their caller) to 1 (every request) */
    public Sampler(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("sample fraction " + fraction + " is not in [0, 1]");
        }
        this.fraction = fraction;
        this.threshold = (long) (fraction * SCALE);
    }

    public double fraction() {
        return fraction;
    }

    /**
     * @param parentSampled the request's valid {@code traceparent} has the sampled flag
     * @param random a uniformly random long, drawn for this request
     */
    public boolean sample(boolean parentSampled, long random) {
        return parentSampled || (random >>> 11) < threshold;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sampler s && Double.compare(s.fraction, fraction) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(fraction);
    }

    @Override
    public String toString() {
        return "Sampler[" + fraction + "]";
    }
}
