/**
 * Control plane: turns a YAML file into immutable, validated config records.
 *
 * <p>Entry point: {@link dev.bascule.config.ConfigLoader}. It reads the text with Jackson's streaming YAML parser
 * into a small tree whose nodes carry their line and column ({@code YamlTreeReader}), then binds that tree
 * strictly ({@code ConfigBinder}, {@code UpstreamBinder}, {@code RouteBinder}), collecting every error rather
 * than stopping at the first. The result is a {@link dev.bascule.config.BasculeConfig} or a
 * {@link dev.bascule.config.ConfigException} whose errors read {@code file:line:column: message}.
 *
 * <p>No Netty and no other Bascule package: this package knows the file format, not the proxy. Addresses are
 * kept as written ({@link dev.bascule.config.HostPort}) and resolved later, when a snapshot is built.
 */
package dev.bascule.config;
