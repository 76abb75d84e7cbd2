package dev.bascule.config;

import java.nio.file.Path;

/**
 * The file {@code admin.token_file} names, with where that key is written. The file is read when a config is
 * put in force (at start and at every reload, by {@link AdminToken#read}), long after binding; a problem then is
 * still reported at the key, as a binding error would be.
 *
 * @param path resolved against the config file's folder
 * @param line 1-based line of the {@code token_file} key
 * @param column 1-based column of the {@code token_file} key
 */
public record TokenFile(Path path, int line, int column) {}
