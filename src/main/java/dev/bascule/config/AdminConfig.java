package dev.bascule.config;

/** Where the admin HTTP server listens. */
public record AdminConfig(HostPort address) {}
