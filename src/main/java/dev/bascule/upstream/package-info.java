/**
 * Origin servers and their runtime state.
 *
 * <p>{@link dev.bascule.upstream.Server} is an immutable member of a snapshot; {@link
 * dev.bascule.upstream.ServerState} is the mutable, atomic state that the data plane updates and that
 * {@link dev.bascule.upstream.ServerRegistry} carries from one snapshot to the next. No Netty here.
 */
package dev.bascule.upstream;
