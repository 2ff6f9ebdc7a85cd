package dev.cellar.agent.config;

import dev.cellar.core.ByteSize;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the human forms configuration values take ({@code 64MiB}, {@code 500ms}); errors name the variable. */
public final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private Values() {
    }

    /** Bytes: {@code 1048576}, {@code 64MiB}, {@code 1G} (binary multiples either way). */
    public static long size(String variable, String text) {
        return ByteSize.parse(text).orElseThrow(() -> new ConfigException(variable
                + " must be a size such as 64MiB or 1048576, got '" + text + "'"));
    }

    /**
     * A duration: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, ISO-8601 ({@code PT2S}) or plain seconds
     * ({@code 30}, as the server reads its durations).
     */
    public static Duration duration(String variable, String text) {
        String t = text.trim();
        if (t.matches("\\d{1,12}")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            Duration d = Duration.parse(t);
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        throw new ConfigException(variable + " must be a duration such as 500ms, 2s, 5m or PT2S, got '" + text + "'");
    }

    public static boolean bool(String variable, String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(variable + " must be true or false, got '" + text + "'");
        };
    }

    public static int intInRange(String variable, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new ConfigException(variable + " must be a whole number from " + min + " to " + max + ", got '" + text + "'");
    }
}
