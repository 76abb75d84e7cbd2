/**
 * Data plane, origin side: keep-alive connections to origin servers, pooled per event loop: HTTP/1.1 connections
 * ({@link dev.bascule.origin.OriginHttp1Connection}) that carry one exchange at a time, or streams ({@link
 * dev.bascule.origin.OriginHttp2Stream}) of a few multiplexed HTTP/2 connections per server ({@link
 * dev.bascule.origin.OriginHttp2Pool}); a request sees either as an {@link dev.bascule.origin.OriginConnection}.
 *
 * <p>Entry point: {@link dev.bascule.origin.OriginConnector#acquire}, implemented by {@link
 * dev.bascule.origin.OriginPool}. A connection is opened on the event loop of the client connection that needs it
 * and returned to that loop's pool, so a request never changes thread and the pool needs no lock. Events on a
 * connection reach its current {@link dev.bascule.origin.OriginListener}.
 *
 * <p>A server's {@code max_connections} is enforced across loops by the counter in its
 * {@link dev.bascule.upstream.ServerState}; requests that find every server full wait in the upstream's
 * {@link dev.bascule.origin.OriginQueue}, one first-in-first-out {@link dev.bascule.origin.OriginWaiters} per
 * loop, and are told to go on as {@link dev.bascule.origin.OriginWaiter}s when a connection or a slot frees up.
 */
package dev.bascule.origin;
