package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;

/** Reads the config again for a reload, from wherever the running one came from. */
@FunctionalInterface
public interface ConfigSource {
    BasculeConfig load() throws ConfigException;
}
