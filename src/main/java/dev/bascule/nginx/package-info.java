/**
 * {@code bascule import-nginx}: reads an nginx config with nginx's own syntax rules ({@link
 * dev.bascule.nginx.NginxReader}) and translates the common reverse-proxy subset into a Bascule config ({@link
 * dev.bascule.nginx.NginxImport}), listing every directive it does not translate.
 *
 * <p>An offline tool for the command line: no Netty, no I/O of its own, nothing on the data or control plane
 * depends on it.
 */
package dev.bascule.nginx;
