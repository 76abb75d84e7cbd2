package dev.bascule.config;

/** One server of an upstream as configured. {@code weight} is at least 1. */
public record ServerConfig(HostPort address, int weight) {}
