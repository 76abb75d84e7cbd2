/**
 * Data plane, both sides: Bascule's own HTTP/1.1 codec. A head is parsed in place and kept as its bytes plus
 * offsets ({@link dev.bascule.http1.Http1Headers}); what goes on to the next hop is those bytes with only the
 * fields Bascule changes spliced in. The messages it produces and takes are Netty's HTTP message types, the seam
 * the rest of the data plane speaks, so the exchange does not know which codec read a head.
 *
 * <p>Entry points: {@link dev.bascule.http1.Http1RequestDecoder} (client side: requests, as strictly as RFC 9112
 * asks, in one pass over the head), {@link dev.bascule.http1.Http1MessageWriter} (either side: outbound heads and
 * bodies as bytes, framed as Netty's encoders frame them, without a pipeline hop of its own) and {@link
 * dev.bascule.http1.Http1Headers}.
 *
 * <p>Everything here is confined to one connection's event loop. Nothing here imports config, control, admin or
 * any other Bascule package: it is protocol code only.
 */
package dev.bascule.http1;
