package dev.cellar.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 90m}, {@code 48h}, {@code 2d}, ISO-8601
 * ({@code PT48H}, {@code P2D}) or a plain number of seconds ({@code 30}), on agent and server alike.
 */
public final class Durations {
    /** Shown in every message about a duration, so that each names the same forms. */
    public static final String EXAMPLES = "500ms, 30s, 90m, 48h, 2d, PT48H or a number of seconds";

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /**
     * The duration {@code text} stands for, negative ones included (ISO-8601 allows {@code -PT1M}: the caller says
     * why that is wrong); empty when it is no duration or does not fit.
     */
    public static Optional<Duration> parse(String text) {
        String t = text.trim();
        try {
            if (t.matches("\\d+")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(t)));
            }
            Matcher m = WITH_UNIT.matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
            return Optional.of(Duration.parse(t));
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            return Optional.empty(); // not a duration, or more digits than a Duration holds
        }
    }
}
