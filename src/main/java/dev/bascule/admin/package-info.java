/**
 * Control plane: the admin HTTP/1.1 server. It reports the running config and every server ({@code GET
 * /status}) and every route ({@code GET /routes}), and turns the commands of an operator (add, remove, drain,
 * reweight a server; set a split's weights; reload the config) into calls on {@link dev.bascule.control.ControlPlane}, which applies them the same all-or-nothing way as a
 * config reload. It also serves Prometheus metrics ({@code GET /metrics}) from {@link
 * dev.bascule.metrics.Metrics}, explains where a request would go ({@code GET /explain}) from {@link
 * dev.bascule.explain.Explanation}, and reports readiness ({@code GET /ready}) for whatever balances traffic onto
 * Bascule. {@code GET /} is a live dashboard ({@link dev.bascule.admin.DashboardAssets}: a page, its script and
 * styles, served from the jar) that polls {@code GET /stats} (one-second samples from {@link
 * dev.bascule.history.LiveStats}), {@code GET /status}, {@code GET /routes} and {@code GET /events} (the control plane's last server
 * state changes) and sends the same commands as any other client. Every request passes {@link
 * dev.bascule.admin.AdminGuard} first (Host, Origin, bearer token, JSON bodies), so the API is safe to open in a
 * browser.
 *
 * <p>Entry point: {@link dev.bascule.admin.AdminServer}. Each connection stays on one event loop and never
 * blocks it: a request's answer is written when the control plane's future completes. Nothing imports this
 * package.
 */
package dev.bascule.admin;
