package dev.cellar.agent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.LogLines;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronExpression;

class SnapshotSchedulerTest {
    @TempDir
    Path data;

    @Test
    void theCronScheduleFiresSnapshots() throws Exception {
        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t1", server.mintToken("t1"), data));
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);

            try (SnapshotScheduler ignored = SnapshotScheduler.start("* * * * * ?", agent.snapshots())) {
                // wait for the first scheduled upload; the surefire timeout bounds a schedule that never fires
                while (agent.client().list("main", 1, Optional.empty()).snapshots().isEmpty()) {
                    Thread.sleep(100);
                }
            }
            assertFalse(agent.client().list("main", 1, Optional.empty()).snapshots().isEmpty());
        }
    }

    @Test
    void aFiringLateByMoreThanTheMisfireThresholdIsDroppedForTheNextOneAfterNow() throws Exception {
        CronExpression hourly = new CronExpression("0 0 * * * ?");
        hourly.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
        Date tenOClock = Date.from(Instant.parse("2026-12-01T10:00:00Z"));

        // the round ended in time: the next hour
        assertEquals(Instant.parse("2026-12-01T11:00:00Z"),
                SnapshotScheduler.following(hourly, tenOClock, at("2026-12-01T10:20:00Z")).toInstant());
        // it ended 50 s after 11:00, within the threshold: 11:00 still fires, at once
        assertEquals(Instant.parse("2026-12-01T11:00:00Z"),
                SnapshotScheduler.following(hourly, tenOClock, at("2026-12-01T11:00:50Z")).toInstant());
        // it ended 70 s after 11:00 (a long round, a paused machine): 11:00 is dropped, no catching up
        assertEquals(Instant.parse("2026-12-01T12:00:00Z"),
                SnapshotScheduler.following(hourly, tenOClock, at("2026-12-01T11:01:10Z")).toInstant());
        // hours late: the next one after now, not one per missed hour
        assertEquals(Instant.parse("2026-12-01T15:00:00Z"),
                SnapshotScheduler.following(hourly, tenOClock, at("2026-12-01T14:30:00Z")).toInstant());
    }

    @Test
    void closeInterruptsTheRoundInProgressAndNothingFiresAfterIt() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        SnapshotScheduler.Round round = () -> {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            rounds.incrementAndGet();
            started.countDown();
            try {
                Thread.sleep(60_000); // far longer than the every-second schedule: firings come due meanwhile
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            } finally {
                running.decrementAndGet();
            }
        };
        try (LogLines log = LogLines.of(SnapshotScheduler.class)) {
            SnapshotScheduler schedule = SnapshotScheduler.start("* * * * * ?", round);
            assertTrue(started.await(30, TimeUnit.SECONDS), "the schedule never fired");
            Thread.sleep(2_500); // two more firings come due while the round runs

            schedule.close();

            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the round in progress was not interrupted");
            Thread.sleep(2_500);
            assertEquals(1, rounds.get(), "rounds after the first: overlapping or after close");
            assertEquals(0, overlaps.get());
            assertTrue(log.lines().contains(
                    "INFO event=schedule.snapshot_interrupted reason=\"the agent is shutting down\""), log.lines()::toString);
        }
    }

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
