package dev.cellar.server.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retention decision over synthetic timelines, in the style of restic's forget tests: each case is a timeline
 * (newest first), a policy, the protected positions, and exactly the survivors with every reason that keeps them.
 */
class ForgetTest {
    private static final String NEWEST = RetentionRun.NEWEST;
    private static final String VERIFIED = RetentionRun.VERIFIED;
    private static final String PINNED = RetentionRun.PINNED;

    record Case(String name, RetentionPolicy policy, List<Instant> timeline, Map<Instant, List<String>> protections,
                Map<Instant, List<String>> survivors) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                twoYearsHourlyUnderTheDefaultPolicy(),
                gapsCountOnlyBucketsThatHaveSnapshots(),
                severalPerHourKeepTheNewestOfEachHour(),
                oneSnapshotOnlyIsKept(),
                oldestIsKeptWhileCountsAreLeft(),
                isoWeeksCrossTheNewYear(),
                emptyPolicyKeepsEverything(),
                pinnedAndVerifiedSurviveAnyPolicy(),
                yearlyKeepsTheNewestOfEachYear()).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsExactlyTheExpectedSnapshotsForTheExpectedReasons(Case c) {
        List<Forget.Verdict> verdicts = Forget.apply(c.policy(), c.timeline(),
                i -> c.protections().getOrDefault(c.timeline().get(i), List.of()));
        Map<Instant, List<String>> kept = new LinkedHashMap<>();
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i).keep()) {
                kept.put(c.timeline().get(i), verdicts.get(i).reasons());
            } else {
                assertEquals(List.of(), verdicts.get(i).reasons(), "a forgotten snapshot has no reason");
            }
        }
        assertEquals(c.survivors(), kept);
    }

    private static Case twoYearsHourlyUnderTheDefaultPolicy() {
        Instant newest = at("2026-11-30T23:30:00Z");
        List<Instant> timeline = every(Duration.ofHours(1), newest, at("2024-12-01T00:30:00Z"));
        assertEquals(17_520, timeline.size());
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(newest, List.of(NEWEST, "last snapshot", "daily snapshot", "weekly snapshot", "monthly snapshot"));
        for (int h = 22; h >= 0; h--) {
            keep.put(newest.minus(Duration.ofHours(23 - h)), List.of("last snapshot"));
        }
        keep.put(at("2026-11-29T23:30:00Z"), List.of("daily snapshot", "weekly snapshot")); // Sunday, ISO week 48
        for (String day : List.of("28", "27", "26", "25", "24")) {
            keep.put(at("2026-11-" + day + "T23:30:00Z"), List.of("daily snapshot"));
        }
        for (String sunday : List.of("22", "15", "08")) {
            keep.put(at("2026-11-" + sunday + "T23:30:00Z"), List.of("weekly snapshot"));
        }
        for (String lastDay : List.of("2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30",
                "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31", "2025-12-31")) {
            keep.put(at(lastDay + "T23:30:00Z"), List.of("monthly snapshot"));
        }
        assertEquals(44, keep.size());
        return new Case("two years of hourly snapshots, default policy", RetentionPolicy.DEFAULT, timeline,
                Map.of(newest, List.of(NEWEST)), keep);
    }

    private static Case gapsCountOnlyBucketsThatHaveSnapshots() {
        List<Instant> timeline = List.of(at("2026-11-30T10:00:00Z"), at("2026-11-30T09:00:00Z"),
                at("2026-11-20T10:00:00Z"), at("2026-10-01T10:00:00Z"), at("2026-09-01T10:00:00Z"));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of("daily snapshot"));
        keep.put(timeline.get(2), List.of("daily snapshot"));
        keep.put(timeline.get(3), List.of("daily snapshot"));
        return new Case("gaps: 3 daily are the 3 newest days that have a snapshot, weeks apart",
                new RetentionPolicy(0, 0, 3, 0, 0, 0), timeline, Map.of(), keep);
    }

    private static Case severalPerHourKeepTheNewestOfEachHour() {
        List<Instant> timeline = new ArrayList<>();
        for (String hour : List.of("12", "11", "10")) {
            for (String minute : List.of("50", "35", "20", "05")) {
                timeline.add(at("2026-11-30T" + hour + ":" + minute + ":00Z"));
            }
        }
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(at("2026-11-30T12:50:00Z"), List.of("last snapshot", "hourly snapshot"));
        keep.put(at("2026-11-30T11:50:00Z"), List.of("hourly snapshot"));
        return new Case("several per hour: 1 last and 2 hourly", new RetentionPolicy(1, 2, 0, 0, 0, 0), timeline,
                Map.of(), keep);
    }

    private static Case oneSnapshotOnlyIsKept() {
        Instant only = at("2026-11-30T10:00:00Z");
        return new Case("one snapshot only", new RetentionPolicy(0, 0, 1, 0, 0, 0), List.of(only),
                Map.of(only, List.of(NEWEST)), Map.of(only, List.of(NEWEST, "daily snapshot")));
    }

    private static Case oldestIsKeptWhileCountsAreLeft() {
        List<Instant> timeline = List.of(at("2026-11-30T10:00:00Z"), at("2026-11-29T10:00:00Z"),
                at("2026-11-29T08:00:00Z"));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of("daily snapshot"));
        keep.put(timeline.get(1), List.of("daily snapshot"));
        // the same day as the one above, but the oldest of all while 5 daily counts are left: restic keeps it
        keep.put(timeline.get(2), List.of("daily snapshot"));
        return new Case("the oldest snapshot stays while a rule has counts left",
                new RetentionPolicy(0, 0, 7, 0, 0, 0), timeline, Map.of(), keep);
    }

    private static Case isoWeeksCrossTheNewYear() {
        // Thursday 2026-01-01 and Monday 2025-12-29 are both ISO week 1 of 2026; Sunday 2025-12-28 is 2025-W52
        List<Instant> timeline = List.of(at("2026-01-01T10:00:00Z"), at("2025-12-29T10:00:00Z"),
                at("2025-12-28T10:00:00Z"), at("2025-12-21T10:00:00Z"));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of("weekly snapshot"));
        keep.put(timeline.get(2), List.of("weekly snapshot"));
        return new Case("ISO weeks, not calendar years", new RetentionPolicy(0, 0, 0, 2, 0, 0), timeline, Map.of(),
                keep);
    }

    private static Case emptyPolicyKeepsEverything() {
        List<Instant> timeline = List.of(at("2026-11-30T10:00:00Z"), at("2026-11-30T09:00:00Z"));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of("policy is empty"));
        keep.put(timeline.get(1), List.of("policy is empty"));
        return new Case("a policy of zeros deletes nothing", new RetentionPolicy(0, 0, 0, 0, 0, 0), timeline,
                Map.of(), keep);
    }

    private static Case pinnedAndVerifiedSurviveAnyPolicy() {
        List<Instant> timeline = every(Duration.ofHours(1), at("2026-11-30T10:00:00Z"), at("2026-11-30T01:00:00Z"));
        Instant verified = at("2026-11-30T07:00:00Z");
        Instant pinned = at("2026-11-30T03:00:00Z");
        Map<Instant, List<String>> protections = Map.of(timeline.get(0), List.of(NEWEST),
                verified, List.of(VERIFIED), pinned, List.of(PINNED));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of(NEWEST, "last snapshot"));
        keep.put(timeline.get(1), List.of("last snapshot"));
        keep.put(verified, List.of(VERIFIED));
        keep.put(pinned, List.of(PINNED));
        return new Case("pinned and newest verified", new RetentionPolicy(2, 0, 0, 0, 0, 0), timeline, protections,
                keep);
    }

    private static Case yearlyKeepsTheNewestOfEachYear() {
        List<Instant> timeline = List.of(at("2026-03-01T00:00:00Z"), at("2026-01-01T00:00:00Z"),
                at("2025-12-31T23:59:59Z"), at("2024-06-01T00:00:00Z"), at("2023-06-01T00:00:00Z"));
        Map<Instant, List<String>> keep = new LinkedHashMap<>();
        keep.put(timeline.get(0), List.of("yearly snapshot"));
        keep.put(timeline.get(2), List.of("yearly snapshot"));
        keep.put(timeline.get(3), List.of("yearly snapshot"));
        return new Case("3 yearly", new RetentionPolicy(0, 0, 0, 0, 0, 3), timeline, Map.of(), keep);
    }

    /** Instants from {@code newest} back to {@code oldest}, one every {@code step}. */
    private static List<Instant> every(Duration step, Instant newest, Instant oldest) {
        List<Instant> out = new ArrayList<>();
        for (Instant t = newest; !t.isBefore(oldest); t = t.minus(step)) {
            out.add(t);
        }
        return out;
    }

    private static Instant at(String text) {
        return Instant.parse(text);
    }
}
