package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;

/**
 * The active-check verdict on one server and the runs of passes and failures that move it: a server that is up
 * goes down after {@code unhealthyThreshold} failures in a row, one that is down comes back after {@code
 * healthyThreshold} passes in a row. A fresh server (added at runtime, not yet routable) comes up on its first
 * pass, whatever the threshold, and its failures are not reported: it is out of rotation already.
 *
 * <p>Pure state, no I/O. Threading: confined to the checker's event loop.
 */
final class TargetHealth {
    /** What the control plane must be told after a probe. */
    enum Report {
        NONE,
        UP,
        DOWN
    }

    private boolean up;
    private boolean awaitingFirstPass;
    private int passesInARow;
    private int failuresInARow;

    /** @param fresh the server joined at runtime and is not routable until its first passing probe */
    TargetHealth(boolean fresh) {
        this.up = !fresh;
        this.awaitingFirstPass = fresh;
    }

    /** Counts one probe result against the thresholds of {@code check} (read now, so a reload applies at once). */
    Report record(ProbeResult result, HealthCheckConfig check) {
        if (result.passed()) {
            failuresInARow = 0;
            passesInARow++;
            if (awaitingFirstPass) {
                awaitingFirstPass = false;
                up = true;
                return Report.UP;
            }
            if (!up && passesInARow >= Math.max(1, check.healthyThreshold())) {
                up = true;
                return Report.UP;
            }
            return Report.NONE;
        }
        passesInARow = 0;
        failuresInARow++;
        if (up && failuresInARow >= Math.max(1, check.unhealthyThreshold())) {
            up = false;
            return Report.DOWN;
        }
        return Report.NONE;
    }

    boolean up() {
        return up;
    }

    boolean awaitingFirstPass() {
        return awaitingFirstPass;
    }

    int passesInARow() {
        return passesInARow;
    }

    int failuresInARow() {
        return failuresInARow;
    }
}
