package dev.cellar.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A snapshot's version: {@code yyyyMMdd'T'HHmmssSSS'Z'-<first 8 hex of the image's sha256>}. Versions sort as
 * strings in time order.
 */
public record SnapshotVersion(Instant createdAt, String shaPrefix) implements Comparable<SnapshotVersion> {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    // STRICT: "Feb 30" or "24:00" must be refused, not moved to another instant that another version string names
    private static final DateTimeFormatter PARSE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern SHAPE = Pattern.compile("^\\d{8}T\\d{9}Z-[0-9a-f]{8}$");

    public SnapshotVersion {
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
        if (!shaPrefix.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("sha prefix must be 8 lower-case hex digits");
        }
    }

    public static SnapshotVersion of(Instant createdAt, String sha256Hex) {
        return new SnapshotVersion(createdAt, sha256Hex.substring(0, 8));
    }

    /** Parses a version string; empty when it does not have the version's shape. */
    public static Optional<SnapshotVersion> parse(String text) {
        if (text == null || !SHAPE.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            Instant at = java.time.LocalDateTime.parse(text.substring(0, 18), PARSE).toInstant(ZoneOffset.UTC);
            return Optional.of(new SnapshotVersion(at, text.substring(20)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return FORMAT.format(createdAt) + "-" + shaPrefix;
    }

    @Override
    public int compareTo(SnapshotVersion other) {
        return toString().compareTo(other.toString());
    }
}
