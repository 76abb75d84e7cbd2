/**
 * Data plane, origin side: keep-alive connections to origin servers, pooled per event loop.
 *
 * <p>Entry point: {@link dev.bascule.origin.OriginConnector#acquire}, implemented by {@link
 * dev.bascule.origin.OriginPool}. A connection is opened on the event loop of the client connection that needs it
 * and returned to that loop's pool, so a request never changes thread and the pool needs no lock. Events on a
 * connection reach its current {@link dev.bascule.origin.OriginListener}.
 */
package dev.bascule.origin;
