package dev.bascule.nginx;

import java.util.HashMap;
import java.util.Map;

/**
 * Why a directive the import does not translate has no place in Bascule's config, and what to write instead
 * when there is something; one sentence each, for the stderr report.
 *
 * <p>Stateless.
 */
final class Reasons {
    static final String INCLUDE = "included files are not read; paste them in, or import each one on its own";
    static final String VARIABLES = "nginx variables are not supported: Bascule's values are fixed";
    static final String FILES = "Bascule serves no files: it forwards or redirects";
    static final String PROCESS = "process settings: Bascule runs as one JVM (event loops: run --threads)";
    static final String LOGGING = "logging is set with BASCULE_LOG_LEVEL; there is no access log file to configure";
    static final String TLS_FIXED = "Bascule offers TLS 1.2 and 1.3 with ECDHE and AEAD suites only, not configurable";
    static final String BUFFERING = "Bascule streams bodies both ways without buffering them";
    static final String NONE = "no Bascule equivalent";

    private static final Map<String, String> BY_NAME = new HashMap<>();

    static {
        for (String d : new String[] {"user", "worker_processes", "worker_rlimit_nofile", "pid", "daemon",
            "master_process", "worker_cpu_affinity", "worker_priority", "load_module", "env", "thread_pool",
            "worker_shutdown_timeout", "lock_file", "working_directory"}) {
            BY_NAME.put(d, PROCESS);
        }
        BY_NAME.put("events", "Bascule has no worker processes: its event loops are set with run --threads");
        BY_NAME.put("worker_connections", "Bascule limits client connections per listener: limits.max_connections");
        BY_NAME.put("use", "Bascule picks epoll or NIO itself");
        BY_NAME.put("multi_accept", "Bascule picks epoll or NIO itself");
        for (String d : new String[] {"error_log", "access_log", "log_format", "log_not_found", "rewrite_log",
            "open_log_file_cache"}) {
            BY_NAME.put(d, LOGGING);
        }
        BY_NAME.put("include", INCLUDE);
        BY_NAME.put("stream", "TCP and UDP proxying (stream) is not supported: Bascule proxies HTTP");
        BY_NAME.put("mail", "mail proxying is not supported: Bascule proxies HTTP");
        BY_NAME.put("map", VARIABLES);
        BY_NAME.put("geo", VARIABLES);
        BY_NAME.put("split_clients", VARIABLES + " (a weighted split of traffic is a route's job, to come)");
        BY_NAME.put("set", VARIABLES);
        BY_NAME.put("if", "conditions are not translated: use a route's match (host, path_prefix, header, cookie,"
                + " query, method)");
        BY_NAME.put("rewrite", "rewrites are not translated: a route may strip its prefix (strip_prefix) or redirect");
        for (String d : new String[] {"root", "alias", "index", "try_files", "autoindex", "sendfile", "tcp_nopush",
            "aio", "directio", "open_file_cache", "expires", "default_type", "types", "types_hash_max_size",
            "types_hash_bucket_size", "error_page", "etag", "charset"}) {
            BY_NAME.put(d, FILES);
        }
        for (String d : new String[] {"ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_ecdh_curve",
            "ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets", "ssl_dhparam", "ssl_stapling",
            "ssl_stapling_verify", "ssl_trusted_certificate", "ssl_buffer_size", "ssl_conf_command"}) {
            BY_NAME.put(d, TLS_FIXED);
        }
        for (String d : new String[] {"proxy_buffering", "proxy_buffers", "proxy_buffer_size",
            "proxy_busy_buffers_size", "proxy_request_buffering", "proxy_max_temp_file_size", "proxy_temp_path",
            "client_body_buffer_size", "client_body_temp_path"}) {
            BY_NAME.put(d, BUFFERING);
        }
        BY_NAME.put("keepalive_timeout", "write timeouts.client_idle instead (one value for every listener; nginx's"
                + " default is 75s, Bascule's 60s)");
        BY_NAME.put("client_header_timeout", "write timeouts.client_header instead (one value for every listener)");
        BY_NAME.put("client_body_timeout", "write timeouts.client_body_idle instead (one value for every listener)");
        BY_NAME.put("send_timeout", "Bascule has no timeout on a client that stops reading; write"
                + " timeouts.client_idle for idle connections");
        BY_NAME.put("proxy_connect_timeout", "write timeouts.connect instead (one value for every upstream)");
        BY_NAME.put("proxy_read_timeout", "Bascule bounds the wait for the response head (timeouts.response_header or"
                + " a route's retry.per_try_timeout), not each read");
        BY_NAME.put("proxy_send_timeout", "Bascule has no timeout on an origin that stops reading the request");
        BY_NAME.put("proxy_next_upstream", "write the route's retry (attempts, on: connect_failure, reset, 502, 503,"
                + " 504) instead");
        BY_NAME.put("proxy_next_upstream_tries", "write the route's retry.attempts instead");
        BY_NAME.put("proxy_redirect", "Bascule does not rewrite Location headers of origin responses");
        BY_NAME.put("proxy_cache", "Bascule does not cache responses");
        BY_NAME.put("proxy_cache_path", "Bascule does not cache responses");
        BY_NAME.put("proxy_hide_header", "write the route's response_headers.remove instead");
        BY_NAME.put("proxy_pass_header", "Bascule passes every end-to-end header already");
        BY_NAME.put("proxy_ssl_verify", "write the upstream's tls: { verify: ... } instead");
        BY_NAME.put("proxy_ssl_trusted_certificate", "write the upstream's tls: { ca: ... } instead");
        BY_NAME.put("proxy_ssl_server_name", "Bascule always sends SNI to a TLS upstream (tls.sni sets the name)");
        BY_NAME.put("proxy_ssl_name", "write the upstream's tls: { sni: ... } instead");
        BY_NAME.put("proxy_ssl_certificate", "write the upstream's tls: { cert: ..., key: ... } instead");
        BY_NAME.put("proxy_ssl_certificate_key", "write the upstream's tls: { cert: ..., key: ... } instead");
        BY_NAME.put("large_client_header_buffers", "write limits.max_header_size instead");
        BY_NAME.put("client_header_buffer_size", "write limits.max_header_size instead");
        BY_NAME.put("server_tokens", "Bascule sends no Server header of its own");
        BY_NAME.put("resolver", "Bascule resolves upstream host names with the system resolver, again every"
                + " resolve_every");
        BY_NAME.put("underscores_in_headers", "write limits.headers_with_underscores (allow, drop or reject) instead");
        BY_NAME.put("limit_req", "write the route's rate_limit instead");
        BY_NAME.put("limit_req_zone", "write the route's rate_limit instead");
        BY_NAME.put("limit_conn", "write limits.max_connections_per_ip instead");
        BY_NAME.put("limit_conn_zone", "write limits.max_connections_per_ip instead");
        BY_NAME.put("allow", "write the route's allow (CIDR list) instead");
        BY_NAME.put("deny", "write the route's deny (CIDR list) instead");
        BY_NAME.put("real_ip_header", "write trusted_proxies: Bascule reads X-Forwarded-For from them");
        BY_NAME.put("set_real_ip_from", "write trusted_proxies: Bascule reads X-Forwarded-For from them");
        BY_NAME.put("gzip", "Bascule does not compress responses");
        BY_NAME.put("auth_basic", "Bascule does not authenticate clients");
        BY_NAME.put("auth_request", "Bascule does not authenticate clients");
        BY_NAME.put("limit_except", "write the route's match.method instead");
        BY_NAME.put("keepalive", "Bascule keeps idle origin connections per server and event loop by itself");
        BY_NAME.put("keepalive_requests", "Bascule keeps connections open as long as both sides allow");
        BY_NAME.put("zone", "not needed: Bascule shares each server's state between its event loops");
    }

    private Reasons() {}

    /** The reason for {@code name}; for a name not listed, one that says there is no equivalent. */
    static String of(String name) {
        String r = BY_NAME.get(name);
        if (r != null) {
            return r;
        }
        if (name.startsWith("gzip")) {
            return BY_NAME.get("gzip");
        }
        if (name.startsWith("proxy_cache")) {
            return BY_NAME.get("proxy_cache");
        }
        if (name.startsWith("ssl_")) {
            return TLS_FIXED;
        }
        return NONE;
    }
}
