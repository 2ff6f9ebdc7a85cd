package dev.cellar.core.config;

import dev.cellar.core.ByteSize;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads typed values out of an environment map for agent and server alike, and collects every problem instead of
 * failing at the first one, so that an operator fixes all of them in one go. Each problem names the variable and
 * quotes what was read. Blank values count as unset; values are trimmed.
 */
public final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Map<String, String> env) {
        this.env = env;
    }

    public Optional<String> string(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    /** A whole number from {@code min} to {@code max}; the fallback when unset or wrong. */
    public int integer(String name, int fallback, int min, int max) {
        return optionalInteger(name, min, max).orElse(fallback);
    }

    /** A whole number from {@code min} to {@code max}; empty when unset or wrong. */
    public Optional<Integer> optionalInteger(String name, int min, int max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) {
                problem(name, "must be between " + min + " and " + max + ", got " + n);
                return Optional.empty();
            }
            return Optional.of(n);
        } catch (NumberFormatException e) {
            problem(name, "must be a whole number, got '" + v.get() + "'");
            return Optional.empty();
        }
    }

    /** {@code true/false}, {@code yes/no}, {@code on/off}, {@code 1/0}, in any case. */
    public boolean bool(String name, boolean fallback) {
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

    /** Sizes like {@code 1073741824}, {@code 64KiB}, {@code 16MiB}, {@code 4GiB} (see {@link ByteSize}). */
    public long bytes(String name, long fallback, long min) {
        return bytes(name, fallback, min, Long.MAX_VALUE);
    }

    public long bytes(String name, long fallback, long min, long max) {
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
            return fallback;
        }
        return size.getAsLong();
    }

    /** A duration of zero or more in any form {@link Durations} reads; the fallback when unset or wrong. */
    public Duration duration(String name, Duration fallback) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return fallback;
        }
        Optional<Duration> d = Durations.parse(v.get());
        if (d.isEmpty()) {
            problem(name, "must be a duration such as " + Durations.EXAMPLES + ", got '" + v.get() + "'");
            return fallback;
        }
        if (d.get().isNegative()) {
            problem(name, "must not be negative, got '" + v.get() + "'");
            return fallback;
        }
        return d.get();
    }

    /** A duration above zero. */
    public Duration positiveDuration(String name, Duration fallback) {
        Duration d = duration(name, fallback);
        if (d.isZero() && string(name).isPresent()) {
            problem(name, "must be longer than zero, got '" + string(name).get() + "'");
            return fallback;
        }
        return d;
    }

    /** An absolute URL (scheme and host). */
    public Optional<URI> uri(String name) {
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

    /** Records that {@code name} is wrong; {@code what} completes the sentence ("must be ..."). */
    public void problem(String name, String what) {
        problems.add(name + " " + what);
    }

    /** Takes over the problems a parser of a composite value found (each already names its variable). */
    public void problems(ConfigException e) {
        problems.addAll(e.problems());
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** @throws ConfigException listing every problem recorded so far */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
