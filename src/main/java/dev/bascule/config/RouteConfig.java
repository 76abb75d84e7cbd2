package dev.bascule.config;

/**
 * One routing rule; the first rule that matches a request wins.
 *
 * @param host exact host or a leading wildcard such as {@code *.labs.test}; null matches any host
 * @param pathPrefix segment-aware path prefix; null matches any path
 * @param stripPrefix remove {@code pathPrefix} from the path forwarded to the origin
 * @param upstream name of the upstream that serves the route
 */
public record RouteConfig(String host, String pathPrefix, boolean stripPrefix, String upstream) {}
