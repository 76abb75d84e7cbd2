package dev.bascule.config;

/** A plain HTTP listener. {@code name} defaults to the address text. */
public record ListenerConfig(String name, HostPort address) {}
