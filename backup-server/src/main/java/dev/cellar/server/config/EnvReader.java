package dev.cellar.server.config;

import dev.cellar.core.ByteSize;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads typed values out of an environment map and collects every problem instead of failing at the first one,
 * so an operator fixes all of them in one go. Each problem names the variable.
 */
final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> string(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) {
                problem(name, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            problem(name, "must be a whole number, got '" + v.get() + "'");
            return fallback;
        }
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> {
                return true;
            }
            case "false", "0", "no", "off" -> {
                return false;
            }
            default -> {
                problem(name, "must be true or false, got '" + v.get() + "'");
                return fallback;
            }
        }
    }

    /** Sizes like {@code 1073741824}, {@code 512MiB}, {@code 8GiB} (powers of 1024 either way). */
    long bytes(String name, long fallback, long min) {
        return bytes(name, fallback, min, Long.MAX_VALUE);
    }

    long bytes(String name, long fallback, long min, long max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        OptionalLong size = ByteSize.parse(v.get());
        if (size.isEmpty()) {
            problem(name, "must be a size such as 1073741824, 512MiB or 8GiB, got '" + v.get() + "'");
            return fallback;
        }
        if (size.getAsLong() > max) {
            problem(name, "must be at most " + max + " bytes, got '" + v.get() + "'");
            return fallback;
        }
        if (size.getAsLong() < min) {
            problem(name, "must be at least " + min + " bytes, got " + size.getAsLong());
        }
        return size.getAsLong();
    }

    /** ISO-8601 durations ({@code PT10S}) or plain seconds. */
    Duration duration(String name, Duration fallback) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return v.get().matches("\\d+") ? Duration.ofSeconds(Long.parseLong(v.get())) : Duration.parse(v.get());
        } catch (DateTimeParseException e) {
            problem(name, "must be a duration such as PT10S or a number of seconds, got '" + v.get() + "'");
            return fallback;
        }
    }

    Optional<URI> uri(String name) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(v.get());
            if (uri.getScheme() == null || uri.getHost() == null) {
                problem(name, "must be an absolute URL such as https://fly.storage.tigris.dev, got '" + v.get() + "'");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            problem(name, "must be a URL, got '" + v.get() + "'");
            return Optional.empty();
        }
    }

    void problem(String name, String what) {
        problems.add(name + " " + what);
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
