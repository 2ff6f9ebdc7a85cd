package dev.cellar.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.Json;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain's rules, with stand-in jobs at the {@link NightlyJob} seam (the real jobs have tests of their own) and
 * runs recorded in a real store.
 */
class JobRunnerTest {
    private static final Instant T0 = Instant.parse("2026-06-01T03:00:00Z");
    @TempDir
    Path dir;
    private BlobStore store;
    private JobRuns runs;
    private final MutableClock clock = new MutableClock(T0);
    private final List<String> ran = new ArrayList<>();

    @BeforeEach
    void open() {
        store = new LocalBlobStore(dir);
        runs = new JobRuns(store, Json.mapper());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private NightlyJob job(String name, Supplier<JobReport> body) {
        return new NightlyJob() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public JobReport runOnce() {
                ran.add(name);
                return body.get();
            }
        };
    }

    private static JobReport ok() {
        return new JobReport(Map.of("done", 1L), List.of());
    }

    @Test
    void aJobThatThrowsIsRecordedAsFailedAndTheChainGoesOn() {
        JobRunner runner = new JobRunner(List.of(
                job("first", () -> {
                    throw new IllegalStateException("store unreachable");
                }),
                job("second", () -> new JobReport(Map.of(), List.of("acme: one tenant failed"))),
                job("third", JobRunnerTest::ok)), runs, clock, "i-1");

        runner.runChain(T0);

        assertEquals(List.of("first", "second", "third"), ran);
        JobRun first = runs.last("first").orElseThrow();
        assertEquals("failed", first.outcome());
        assertEquals(List.of("the job could not run: java.lang.IllegalStateException: store unreachable"),
                first.errors());
        assertEquals(T0, first.scheduledFor());
        assertEquals("schedule", first.trigger());
        assertEquals("failed", runs.last("second").orElseThrow().outcome());
        JobRun third = runs.last("third").orElseThrow();
        assertEquals("ok", third.outcome());
        assertEquals(Map.of("done", 1L), third.counts());
        assertEquals("i-1", third.instance());
    }

    @Test
    void runNowRunsOneJobAndUnknownNamesAre404() {
        JobRunner runner = new JobRunner(List.of(job("a", JobRunnerTest::ok), job("b", JobRunnerTest::ok)), runs,
                clock, "i-1");

        JobRun run = runner.runNow("b");

        assertEquals(List.of("b"), ran);
        assertEquals("admin", run.trigger());
        assertNull(run.scheduledFor());
        assertEquals(run, runs.last("b").orElseThrow());
        ApiError e = assertThrows(ApiError.class, () -> runner.runNow("c"));
        assertEquals(404, e.status());
        assertEquals("no job c; jobs: a, b", e.getMessage());
    }

    @Test
    void twoNamesAlikeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JobRunner(List.of(job("a", JobRunnerTest::ok),
                job("a", JobRunnerTest::ok)), runs, clock, "i-1"));
    }

    @Test
    void runsRecordedAtTheSameMomentByTwoInstancesAreBothKeptNewestFirst() {
        JobRun one = new JobRun("stale", "schedule", T0, T0, T0, "ok", Map.of(), List.of(), "i-1");
        JobRun two = new JobRun("stale", "schedule", T0, T0, T0, "ok", Map.of(), List.of(), "i-2");
        JobRun later = new JobRun("stale", "admin", null, T0.plusSeconds(1), T0.plusSeconds(2), "ok", Map.of(),
                List.of(), "i-1");
        runs.record(one);
        runs.record(two);
        runs.record(later);

        List<JobRun> recent = runs.recent("stale", 10);
        assertEquals(3, recent.size());
        assertEquals(later, recent.get(0));
        assertTrue(recent.containsAll(List.of(one, two)));
    }

    @Test
    void runsOlderThan30DaysArePrunedWhenANewerOneIsRecorded() {
        JobRunner runner = new JobRunner(List.of(job("stale", JobRunnerTest::ok)), runs, clock, "i-1");
        runner.runNow("stale");
        clock.advance(Duration.ofDays(10));
        runner.runNow("stale");
        clock.advance(Duration.ofDays(21));

        runner.runNow("stale");

        List<Instant> kept = runs.recent("stale", 10).stream().map(JobRun::startedAt).toList();
        assertEquals(List.of(T0.plus(Duration.ofDays(31)), T0.plus(Duration.ofDays(10))), kept);
    }
}
