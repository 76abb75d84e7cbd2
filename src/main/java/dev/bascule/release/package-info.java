/**
 * Releases: how a rollout moves a route's traffic split from one upstream to another step by step, and when its
 * guard rolls it back. Pure and immutable: {@link dev.bascule.release.RolloutState} is a value that the control
 * plane advances with the figures of the current step ({@link dev.bascule.release.StepFigures}) and the time, and
 * stores (a state file today; a shared store for a fleet), so the same decision comes out wherever it is made.
 *
 * <p>Neither plane: no Netty, no I/O, no clock of its own. Threading: values only; safe anywhere.
 */
package dev.bascule.release;
