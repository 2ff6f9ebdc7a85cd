package dev.cellar.agent.config;

import dev.cellar.core.Names;
import dev.cellar.core.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code BACKUP_DATABASES}: {@code name=/path/file.sqlite3}, a bare path (named after the file), or a
 * glob such as {@code /data/*.sqlite3} (each match named after the part the {@code *} stands for).
 */
public record DatabaseSpec(Optional<String> name, String pattern) {
    private static final String GLOB_CHARS = "*?[{";

    public boolean isGlob() {
        return isGlobText(pattern);
    }

    static boolean isGlobText(String text) {
        return text.chars().anyMatch(c -> GLOB_CHARS.indexOf(c) >= 0);
    }

    /**
     * Parses the whole variable: entries separated by commas.
     *
     * @throws ConfigException naming {@code variable} when an entry is malformed
     */
    public static List<DatabaseSpec> parseList(String variable, String text) {
        List<DatabaseSpec> specs = new ArrayList<>();
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            DatabaseSpec spec;
            if (eq > 0 && !entry.substring(0, eq).contains("/")) {
                String name = entry.substring(0, eq).trim();
                if (!Names.isValid(name)) {
                    throw new ConfigException(variable + ": " + Names.problem("database", name));
                }
                spec = new DatabaseSpec(Optional.of(name), entry.substring(eq + 1).trim());
                if (spec.isGlob()) {
                    throw new ConfigException(variable + ": '" + entry + "' names one database but its path is a glob;"
                            + " give a glob without a name, or one file per name");
                }
            } else {
                spec = new DatabaseSpec(Optional.empty(), entry);
            }
            if (spec.pattern.isEmpty() || !Path.of(spec.pattern).isAbsolute()) {
                throw new ConfigException(variable + ": '" + entry + "' must hold an absolute path");
            }
            specs.add(spec);
        }
        if (specs.isEmpty()) {
            throw new ConfigException(variable + " names no database");
        }
        return List.copyOf(specs);
    }

    @Override
    public String toString() {
        return name.map(n -> n + "=" + pattern).orElse(pattern);
    }
}
