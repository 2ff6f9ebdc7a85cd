package dev.cellar.server.config;

import java.util.List;

/** The environment does not describe a server that can start; the message names every bad variable. */
public class ConfigException extends RuntimeException {
    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
}
