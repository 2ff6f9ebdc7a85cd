package dev.cellar.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/jobs} and "run now", on a real server over an S3Proxy bucket. */
class JobsApiTest {
    private static S3ProxyFixture s3;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        s3 = S3ProxyFixture.start();
        server = TestServer.startOn(s3, Map.of());
        api = new Api(server);
    }

    @AfterAll
    static void stop() {
        server.close();
        s3.close();
    }

    private static JsonNode jobs(Api on, TestServer s) {
        return on.expect(200, "GET", "/api/v1/jobs", s.adminToken(), null);
    }

    private static JsonNode job(JsonNode jobs, String name) {
        for (JsonNode j : jobs.get("jobs")) {
            if (j.get("name").asText().equals(name)) {
                return j;
            }
        }
        throw new AssertionError("no job " + name + " in " + jobs);
    }

    @Test
    void listsTheChainInOrderWithItsScheduleAndNextFiring() {
        JsonNode body = jobs(api, server);

        JsonNode schedule = body.get("schedule");
        assertEquals("0 0 3 * * ?", schedule.get("cron").asText());
        assertEquals("UTC", schedule.get("timeZone").asText());
        assertFalse(schedule.get("clustered").asBoolean());
        Instant next = Instant.parse(schedule.get("nextFireAt").asText());
        assertTrue(next.isAfter(Instant.now()) && next.isBefore(Instant.now().plus(Duration.ofHours(25))), "" + next);
        assertEquals(3, next.atZone(java.time.ZoneOffset.UTC).getHour());
        List<String> names = new ArrayList<>();
        body.get("jobs").forEach(j -> names.add(j.get("name").asText()));
        assertEquals(List.of("retention", "drills", "stale", "housekeeping"), names);
        assertEquals(next, Instant.parse(job(body, "stale").get("nextFireAt").asText()));
    }

    @Test
    void runNowAnswersTheReportAndTheRunIsKeptInTheBucketForARebuiltServer() {
        String tenant = "jobs-" + System.nanoTime();
        server.mintToken(tenant);
        Instant before = Instant.now().minusMillis(1);

        JsonNode run = api.expect(200, "POST", "/api/v1/jobs/stale/run", server.adminToken(), null);

        assertEquals("stale", run.get("job").asText());
        assertEquals("admin", run.get("trigger").asText());
        assertTrue(run.get("scheduledFor").isNull());
        assertEquals("ok", run.get("outcome").asText());
        assertTrue(run.get("counts").has("databases"), run.toString());
        assertFalse(run.get("instance").asText().isBlank(), run.toString());
        Instant started = Instant.parse(run.get("startedAt").asText());
        assertFalse(started.isBefore(before));
        assertFalse(Instant.parse(run.get("finishedAt").asText()).isBefore(started));

        try (TestServer rebuilt = TestServer.startOn(s3, Map.of())) {
            JsonNode last = job(jobs(new Api(rebuilt), rebuilt), "stale").get("lastRun");
            assertEquals(run, last);
            assertEquals(run.get("instance"), last.get("instance"));
        }
    }

    @Test
    void housekeepingRunsNowAndReportsItsCounts() {
        JsonNode run = api.expect(200, "POST", "/api/v1/jobs/housekeeping/run", server.adminToken(), null);

        assertEquals("ok", run.get("outcome").asText(), run.toString());
        for (String count : List.of("stagedUploadsDiscarded", "restoreRequestsRemoved", "machinesRemoved",
                "objectsScanned", "unexplainedObjects")) {
            assertTrue(run.get("counts").has(count), count + " in " + run);
        }
        assertEquals(run, job(jobs(api, server), "housekeeping").get("lastRun"));
    }

    @Test
    void anUnknownJobIs404WithTheJobsThereAre() {
        JsonNode e = api.expect(404, "POST", "/api/v1/jobs/backup-everything/run", server.adminToken(), null);

        assertEquals("not_found", e.get("error").asText());
        assertTrue(e.get("message").asText().contains("stale, housekeeping"), e.toString());
    }

    @Test
    void onlyTheAdminMaySeeOrRunJobs() {
        String tenantToken = server.mintToken("jobs-tenant");

        assertEquals("forbidden", api.expect(403, "GET", "/api/v1/jobs", tenantToken, null).get("error").asText());
        api.expect(403, "POST", "/api/v1/jobs/stale/run", tenantToken, null);
        api.expect(401, "GET", "/api/v1/jobs", null, null);
        api.expect(401, "POST", "/api/v1/jobs/housekeeping/run", "wrong", null);
    }

    @Test
    void theCronScheduleItselfFiresTheChain() throws InterruptedException {
        try (S3ProxyFixture own = S3ProxyFixture.start();
             TestServer everySecond = TestServer.startOn(own, Map.of("BACKUP_NIGHTLY_CRON", "* * * * * ?"))) {
            Api on = new Api(everySecond);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60)); // an upper bound, not a speed test
            JsonNode stale;
            JsonNode housekeeping;
            do {
                Thread.sleep(200);
                JsonNode body = jobs(on, everySecond);
                stale = job(body, "stale").get("lastRun");
                housekeeping = job(body, "housekeeping").get("lastRun");
            } while ((stale.isNull() || housekeeping.isNull()) && Instant.now().isBefore(deadline));

            assertFalse(stale.isNull(), "the schedule never ran the stale job");
            assertFalse(housekeeping.isNull(), "the schedule never ran housekeeping");
            assertEquals("schedule", stale.get("trigger").asText());
            assertFalse(stale.get("scheduledFor").isNull());
            assertEquals("schedule", housekeeping.get("trigger").asText());
        }
    }
}
