package dev.bascule.nginx;

import java.util.List;

/**
 * The settings a level of an nginx config (http, server, location) passes down, with nginx's inheritance:
 * {@code proxy_set_header} and {@code add_header} are inherited as a whole list, and only by a level that has
 * none of its own; {@code client_max_body_size}, {@code ssl_certificate}, {@code ssl_certificate_key} and
 * {@code http2} by a level that does not set them.
 *
 * @param proxySetHeaders the {@code proxy_set_header} directives in force
 * @param addHeaders the {@code add_header} directives in force
 * @param maxBodySize the {@code client_max_body_size} in force, or null (nginx's default, 1m)
 * @param http2 the {@code http2} directive in force, or null
 */
record Level(List<Directive> proxySetHeaders, List<Directive> addHeaders, Directive maxBodySize,
        Directive certificate, Directive certificateKey, Directive http2) {

    static final Level TOP = new Level(List.of(), List.of(), null, null, null, null);

    /** The settings of {@code block}, inheriting from {@code parent} what it does not set. */
    Level inside(Directive block) {
        List<Directive> set = block.children("proxy_set_header");
        List<Directive> add = block.children("add_header");
        return new Level(set.isEmpty() ? proxySetHeaders : set, add.isEmpty() ? addHeaders : add,
                or(block.last("client_max_body_size"), maxBodySize), or(block.last("ssl_certificate"), certificate),
                or(block.last("ssl_certificate_key"), certificateKey), or(block.last("http2"), http2));
    }

    private static Directive or(Directive own, Directive inherited) {
        return own != null ? own : inherited;
    }

    /** Directives a level reads for itself and its children, which need no report of their own. */
    static boolean isInherited(String name) {
        return switch (name) {
            case "proxy_set_header", "add_header", "client_max_body_size", "ssl_certificate", "ssl_certificate_key",
                    "http2" -> true;
            default -> false;
        };
    }
}
