package dev.bascule.config;

import java.nio.file.Path;

/**
 * A PEM certificate chain and its private key, paths resolved against the config file's folder. The names it
 * serves are read from the certificate itself.
 */
public record CertificateConfig(Path cert, Path key) {}
