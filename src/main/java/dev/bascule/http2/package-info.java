/**
 * Data plane, client side: Bascule's own HTTP/2 frame output. {@link dev.bascule.http2.FrameWriter} encodes frames
 * into the connection's {@link dev.bascule.http2.FrameOutput}, which hands them on as one write per flush; {@link
 * dev.bascule.http2.SendLimits} bounds what a peer can make the connection send. Netty still reads frames, keeps
 * HPACK tables, streams and flow control.
 *
 * <p>Everything here is confined to one connection's event loop. Nothing here imports another Bascule package: it
 * is protocol code only.
 */
package dev.bascule.http2;
