package dev.cellar.agent.config;

/** A configuration value is missing or invalid; the message names the variable. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
