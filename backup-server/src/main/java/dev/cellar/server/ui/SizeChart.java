package dev.cellar.server.ui;

import dev.cellar.server.snapshot.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The database view's picture: database size and backup age (the time since the snapshot before it) of each
 * snapshot, oldest on the left, as SVG polyline points in a {@value #WIDTH}×{@value #HEIGHT} box. Only numbers
 * leave this class, so the SVG needs no escaping beyond the template's.
 */
public record SizeChart(String sizePoints, String agePoints, String maxSize, String maxAge, String from, String to,
                        int count) {
    static final int WIDTH = 600;
    static final int HEIGHT = 120;

    /** @param newestFirst the snapshots shown, newest first, as the catalog lists them */
    static SizeChart of(List<Snapshot> newestFirst) {
        List<Snapshot> s = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(s);
        if (s.size() < 2) {
            return new SizeChart("", "", "", "", "", "", s.size());
        }
        long maxSize = s.stream().mapToLong(Snapshot::sizeBytes).max().orElse(1);
        long[] ages = new long[s.size()];
        for (int i = 1; i < s.size(); i++) {
            ages[i] = Duration.between(s.get(i - 1).createdAt(), s.get(i).createdAt()).toSeconds();
        }
        ages[0] = ages[1]; // the oldest shown has no predecessor on the page: draw it level with the next
        long maxAge = java.util.Arrays.stream(ages).max().orElse(1);
        long first = s.get(0).createdAt().toEpochMilli();
        long span = Math.max(1, s.get(s.size() - 1).createdAt().toEpochMilli() - first);
        StringBuilder size = new StringBuilder();
        StringBuilder age = new StringBuilder();
        for (int i = 0; i < s.size(); i++) {
            double x = (s.get(i).createdAt().toEpochMilli() - first) * (double) WIDTH / span;
            point(size, x, s.get(i).sizeBytes(), Math.max(1, maxSize));
            point(age, x, ages[i], Math.max(1, maxAge));
        }
        return new SizeChart(size.toString().trim(), age.toString().trim(), Format.bytes(maxSize),
                Format.age(s.get(0).createdAt(), s.get(0).createdAt().plusSeconds(maxAge)),
                Format.time(s.get(0).createdAt()), Format.time(s.get(s.size() - 1).createdAt()), s.size());
    }

    private static void point(StringBuilder out, double x, long value, long max) {
        double y = HEIGHT - 4 - value * (HEIGHT - 8.0) / max;
        out.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
}
