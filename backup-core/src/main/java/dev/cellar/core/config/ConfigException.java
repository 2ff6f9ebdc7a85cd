package dev.cellar.core.config;

import java.util.List;

/**
 * The environment does not describe something that can start. The message lists every problem, each naming its
 * variable, in one form on agent and server: {@code invalid configuration:\n  - NAME must ...}.
 */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One problem, already naming its variable. */
    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
