package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotVersionTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void formatsAsUtcTimestampWithMillisecondsAndTheFirstEightHexOfTheSha() {
        SnapshotVersion v = SnapshotVersion.of(Instant.parse("2026-03-04T05:06:07.089Z"), SHA);

        assertEquals("20260304T050607089Z-01234567", v.toString());
    }

    @Test
    void parseReturnsTheSameVersionItWasFormattedFrom() {
        SnapshotVersion v = SnapshotVersion.of(Instant.parse("1999-12-31T23:59:59.999Z"), "deadbeef" + SHA);

        Optional<SnapshotVersion> parsed = SnapshotVersion.parse(v.toString());

        assertEquals(Optional.of(v), parsed);
        assertEquals(Instant.parse("1999-12-31T23:59:59.999Z"), parsed.get().createdAt());
        assertEquals("deadbeef", parsed.get().shaPrefix());
    }

    @Test
    void parsesALeapDay() {
        assertEquals(Instant.parse("2024-02-29T00:00:00Z"),
                SnapshotVersion.parse("20240229T000000000Z-01234567").orElseThrow().createdAt());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "latest",
        "20260304T050607089Z",                  // no sha
        "20260304T050607089Z-0123456",          // 7 hex
        "20260304T050607089Z-012345678",        // 9 hex
        "20260304T050607089Z-0123456G",         // not hex
        "20260304T050607089Z-ABCDEF01",         // upper-case hex
        "20260304T050607089-01234567",          // no Z
        "20260304050607089Z-01234567",          // no T
        "20260304T05060708Z-01234567",          // milliseconds cut short
        "2026-03-04T05:06:07.089Z-01234567",    // ISO-8601 punctuation
        " 20260304T050607089Z-01234567",        // surrounding space
        "20260304T050607089Z-01234567\n",
        "20260304T050607089Z_01234567",
        "../20260304T050607089Z-01234567",
    })
    void refusesTextThatDoesNotHaveTheVersionShape(String text) {
        assertEquals(Optional.empty(), SnapshotVersion.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "20261301T000000000Z-01234567",  // month 13
        "20260001T000000000Z-01234567",  // month 0
        "20260100T000000000Z-01234567",  // day 0
        "20260132T000000000Z-01234567",  // day 32
        "20260101T250000000Z-01234567",  // hour 25
        "20260101T006000000Z-01234567",  // minute 60
        "20260101T000060000Z-01234567",  // second 60
    })
    void refusesFieldsOutOfTheirRange(String text) {
        assertEquals(Optional.empty(), SnapshotVersion.parse(text));
    }

    /**
     * A date that does not exist must not be quietly moved to one that does: "Feb 30" read as "Feb 29" would make
     * two version strings name the same snapshot.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "20260230T000000000Z-01234567",  // February 30
        "20250229T000000000Z-01234567",  // February 29 of a common year
        "20260431T000000000Z-01234567",  // April 31
        "20260101T240000000Z-01234567",  // 24:00, which would be the next day
    })
    void refusesDatesThatDoNotExistInsteadOfMovingThem(String text) {
        assertEquals(Optional.empty(), SnapshotVersion.parse(text));
    }

    @Test
    void everyParsedVersionPrintsAsTheTextItCameFrom() {
        Random random = new Random(42);
        for (int i = 0; i < 1_000; i++) {
            Instant at = Instant.ofEpochMilli(random.nextLong(0, Instant.parse("2200-01-01T00:00:00Z").toEpochMilli()));
            String text = SnapshotVersion.of(at, String.format("%08x", random.nextInt()) + SHA).toString();

            assertEquals(text, SnapshotVersion.parse(text).orElseThrow().toString());
        }
    }

    @Test
    void truncatesTheInstantToMilliseconds() {
        SnapshotVersion v = SnapshotVersion.of(Instant.parse("2026-03-04T05:06:07.089999999Z"), SHA);

        assertEquals(Instant.parse("2026-03-04T05:06:07.089Z"), v.createdAt());
        assertEquals("20260304T050607089Z-01234567", v.toString());
        assertEquals(v, new SnapshotVersion(Instant.parse("2026-03-04T05:06:07.089Z"), "01234567"));
    }

    @Test
    void sortingVersionsAsStringsOrAsValuesSortsThemByTime() {
        Random random = new Random(7);
        List<Instant> instants = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            instants.add(Instant.ofEpochMilli(random.nextLong(0, Instant.parse("2200-01-01T00:00:00Z").toEpochMilli())));
        }
        // neighbours that differ by one millisecond, one second and across a year boundary
        instants.add(Instant.parse("2026-12-31T23:59:59.999Z"));
        instants.add(Instant.parse("2027-01-01T00:00:00.000Z"));
        instants.add(Instant.parse("2027-01-01T00:00:00.001Z"));
        instants.add(Instant.parse("2027-01-01T00:00:01.000Z"));
        List<SnapshotVersion> versions = new ArrayList<>();
        for (Instant at : instants) {
            // a sha prefix that sorts against the time, so a comparison on it would show
            versions.add(SnapshotVersion.of(at, String.format("%08x", Integer.MAX_VALUE - at.getNano()) + SHA));
        }

        List<Instant> byTime = instants.stream().sorted().toList();
        List<Instant> byValue = versions.stream().sorted().map(SnapshotVersion::createdAt).toList();
        List<Instant> byString = versions.stream().sorted(Comparator.comparing(SnapshotVersion::toString))
                .map(SnapshotVersion::createdAt).toList();

        assertEquals(byTime, byValue);
        assertEquals(byTime, byString);
    }

    @Test
    void versionsOfTheSameMillisecondOrderBySha() {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        SnapshotVersion a = SnapshotVersion.of(at, "00000001" + SHA);
        SnapshotVersion b = SnapshotVersion.of(at, "00000002" + SHA);

        assertTrue(a.compareTo(b) < 0);
        assertTrue(b.compareTo(a) > 0);
        assertEquals(0, a.compareTo(SnapshotVersion.of(at, "00000001" + SHA)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0123456", "012345678", "ABCDEF01", "0123456g", ""})
    void refusesAShaPrefixThatIsNotEightLowerCaseHexDigits(String prefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SnapshotVersion(Instant.EPOCH, prefix));
        assertEquals("sha prefix must be 8 lower-case hex digits", e.getMessage());
    }
}
