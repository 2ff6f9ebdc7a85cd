package dev.cellar.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.http.Json;
import dev.cellar.server.storage.s3.S3BlobStore;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two server instances in one JVM over one real PostgreSQL (Quartz's clustered job store) and one S3Proxy bucket:
 * each firing runs once, on one of them, and when one stops the other runs the following firings.
 */
class ClusterSchedulerTest {
    /** Every two seconds: several firings within a short test. */
    private static final String CRON = "0/2 * * * * ?";
    private static final Duration PATIENCE = Duration.ofSeconds(90); // an upper bound, not a speed test
    private static EmbeddedPostgres postgres;
    private static S3ProxyFixture s3;
    private static S3BlobStore bucket;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "epg"));
        postgres = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.toFile()).start();
        s3 = S3ProxyFixture.start();
        bucket = S3BlobStore.connect(s3.storeSettings());
    }

    @AfterAll
    static void stop() throws Exception {
        bucket.close();
        s3.close();
        postgres.close();
    }

    private static Map<String, String> env(String instance) {
        return Map.of("BACKUP_DB_URL", postgres.getJdbcUrl("postgres", "postgres"), "BACKUP_DB_USER", "postgres",
                "BACKUP_NIGHTLY_CRON", CRON, "FLY_MACHINE_ID", instance);
    }

    private static List<JobRun> runs(String job) {
        return new JobRuns(bucket, Json.mapper()).recent(job, 1000).stream()
                .filter(r -> JobRun.SCHEDULE.equals(r.trigger())).toList();
    }

    private static List<JobRun> await(String job, Predicate<List<JobRun>> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        List<JobRun> runs = runs(job);
        while (!done.test(runs) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            runs = runs(job);
        }
        assertTrue(done.test(runs), "not within " + PATIENCE + ": " + runs);
        return runs;
    }

    /** Each scheduled firing must have exactly one run of each job, whichever instance ran it. */
    private static void assertEachFiringRanOnce(String job) {
        Map<Instant, List<String>> byFiring = runs(job).stream().collect(Collectors.groupingBy(JobRun::scheduledFor,
                TreeMap::new, Collectors.mapping(JobRun::instance, Collectors.toList())));
        byFiring.forEach((firing, instances) -> assertEquals(1, instances.size(),
                job + " firing " + firing + " ran on " + instances));
    }

    @Test
    void eachFiringRunsOnceAndTheSurvivorTakesOverWhenAnInstanceStops() throws Exception {
        TestServer a = TestServer.startOn(s3, env("instance-a"));
        TestServer b = TestServer.startOn(s3, env("instance-b"));
        try {
            List<JobRun> seen = await("stale", runs -> runs.stream().map(JobRun::scheduledFor).distinct().count() >= 4);
            await("housekeeping", runs -> runs.size() >= 4);
            assertEachFiringRanOnce("stale");
            assertEachFiringRanOnce("housekeeping");
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                 ResultSet rs = c.createStatement().executeQuery(
                         "select count(*) from qrtz_scheduler_state where sched_name = 'cellar'")) {
                rs.next();
                assertEquals(2, rs.getInt(1), "both instances check in to one cluster");
            }

            // stop the instance that ran the newest firing, so the takeover is a change of hands
            TestServer stopping = seen.get(0).instance().equals("instance-a") ? a : b;
            String survivor = stopping == a ? "instance-b" : "instance-a";
            stopping.close();
            Instant stopped = Instant.now();
            List<JobRun> after = await("stale", runs -> runs.stream()
                    .filter(r -> r.scheduledFor().isAfter(stopped)).count() >= 2);

            after.stream().filter(r -> r.scheduledFor().isAfter(stopped))
                    .forEach(r -> assertEquals(survivor, r.instance(), "firing " + r.scheduledFor()));
            assertEachFiringRanOnce("stale");
            assertEachFiringRanOnce("housekeeping");
            assertFalse(after.stream().anyMatch(r -> !"ok".equals(r.outcome())), after.toString());
        } finally {
            a.close();
            b.close();
        }
    }
}
