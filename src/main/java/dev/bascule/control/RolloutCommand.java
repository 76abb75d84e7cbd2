package dev.bascule.control;

import java.util.Locale;

/**
 * What the operator can do to a live rollout: {@code POST /routes/{name}/rollout/pause|resume|abort} and {@code
 * POST /routes/{name}/promote}.
 */
public enum RolloutCommand {
    /** The step stops moving on; the guard still judges it. */
    PAUSE,
    /** The step goes on where it stood when paused. */
    RESUME,
    /** Ends it, with the split as it was before the rollout. */
    ABORT,
    /** Ends it, with the {@code to} side at 100% now. */
    PROMOTE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
