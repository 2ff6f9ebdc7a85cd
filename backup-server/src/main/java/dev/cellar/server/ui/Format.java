package dev.cellar.server.ui;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the pages write sizes, instants and ages. */
public final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    public static String time(Instant t) {
        return t == null ? "—" : TIME.format(t);
    }

    /** "3d 4h", "5h 12m", "40s": how long ago {@code t} was at {@code now}; a dash when never. */
    public static String age(Instant t, Instant now) {
        if (t == null) {
            return "—";
        }
        Duration d = Duration.between(t, now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (d.toDays() >= 1) {
            return d.toDays() + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() >= 1) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        return d.toMinutes() >= 1 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
