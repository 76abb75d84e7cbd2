/**
 * Data plane, client side: listeners, the HTTP/1.1 front-end pipeline, the per-request {@link
 * dev.bascule.proxy.Exchange}, the {@link dev.bascule.proxy.Tunnel} an accepted WebSocket handshake becomes, the
 * {@link dev.bascule.proxy.MirrorCopy} a mirroring route sends besides, header rules and error mapping.
 *
 * <p>Entry point: {@link dev.bascule.proxy.FrontendServer}. Every connection and every request it carries stay
 * on one event loop; the current snapshot is read once per request. Nothing here imports config, admin or
 * health: settings arrive through the snapshot.
 */
package dev.bascule.proxy;
