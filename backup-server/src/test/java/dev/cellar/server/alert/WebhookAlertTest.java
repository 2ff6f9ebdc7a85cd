package dev.cellar.server.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Alerts to a real local webhook receiver from two server instances over one bucket: one message per transition
 * (stale, failing, recovered), none twice, and a delivery retried after the receiver failed.
 */
class WebhookAlertTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void eachTransitionIsSentOnceAcrossTwoInstancesAndARefusedDeliveryIsRetried() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (Receiver hook = new Receiver(1); S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer a = TestServer.startOn(s3, Map.of("BACKUP_ALERT_WEBHOOK_URL", hook.url()), clock);
             TestServer b = TestServer.startOn(s3, Map.of("BACKUP_ALERT_WEBHOOK_URL", hook.url(),
                     "BACKUP_ADMIN_TOKEN", a.adminToken(), "BACKUP_TOKEN_SECRET",
                     a.env().get("BACKUP_TOKEN_SECRET")), clock)) {
            Api api = new Api(a);
            String token = a.mintToken("acme");
            api.upload("acme", "app", token, "m1", dir, 10, 1);
            runStaleJob(a);
            runStaleJob(b);

            clock.advance(Duration.ofHours(27));
            runStaleJob(a);
            runStaleJob(b); // sees the transition a recorded: sends nothing
            JsonNode stale = message(hook.await(1, m -> m.contains("\"to\":\"stale\"")).get(0));
            assertEquals("acme", stale.get("tenant").asText());
            assertEquals("app", stale.get("database").asText());
            assertEquals("ok", stale.get("from").asText());
            assertTrue(stale.get("reason").asText().startsWith("last backup at "), stale.toString());
            assertTrue(stale.get("text").asText().startsWith("Cellar: acme/app is stale (was ok): last backup"),
                    stale.toString());
            assertEquals(2, hook.requests(), "the first delivery got a 500 and was tried again");

            // a heartbeat reporting a success: evaluated off the request thread, on instance b this time
            new Api(b).expect(200, "POST", "/api/v1/tenants/acme/heartbeats", token, "{\"machineId\": \"m1\","
                    + " \"databases\": [{\"name\": \"app\", \"lastBackupAt\": \"" + clock.instant() + "\"}]}");
            JsonNode recovered = message(hook.await(1, m -> m.contains("\"from\":\"stale\"")).get(0));
            assertEquals("ok", recovered.get("to").asText());
            assertTrue(recovered.get("reason").isNull());
            assertEquals("Cellar: acme/app recovered: ok again (was stale)", recovered.get("text").asText());

            // the newest snapshot fails its drill: failing, from the drill's verdict
            String v2 = api.upload("acme", "app", token, "m1", dir, 20, 2);
            try (var bucket = s3.newClient()) {
                bucket.putObject(o -> o.bucket(s3.bucket()).key(SnapshotCatalog.dataKey("acme", "app", v2)),
                        RequestBody.fromBytes("not zstd at all".getBytes()));
            }
            api.expect(200, "POST", "/api/v1/drills/run", a.adminToken(), null);
            JsonNode failing = message(hook.await(1, m -> m.contains("\"to\":\"failing\"")).get(0));
            assertTrue(failing.get("reason").asText().contains(v2 + " failed its restore drill"), failing.toString());

            runStaleJob(a);
            runStaleJob(b);
            List<String> all = hook.accepted();
            assertEquals(3, all.size(), "stale, recovered, failing; nothing twice: " + all);
            assertFalse(String.join("\n", all).contains(token), "never a token");
        }
    }

    private static void runStaleJob(TestServer server) {
        JsonNode run = new Api(server).expect(200, "POST", "/api/v1/jobs/stale/run", server.adminToken(), null);
        assertEquals("ok", run.get("outcome").asText(), run.toString());
    }

    private static JsonNode message(String accepted) throws Exception {
        assertTrue(accepted.startsWith("/hook "), accepted);
        return JSON.readTree(accepted.substring("/hook ".length()));
    }
}
