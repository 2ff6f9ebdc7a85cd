package dev.cellar.server.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Database status from uploads and from what agents report in their heartbeats, over HTTP on a real server and
 * bucket, with a clock the test moves (BACKUP_STALE_AFTER is the default 26 h).
 */
class AgentReportedStatusTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
    private S3ProxyFixture s3;
    private TestServer server;
    private Api api;
    private String token;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        s3 = S3ProxyFixture.start();
        server = TestServer.startOn(s3, Map.of(), clock);
        api = new Api(server);
        token = server.mintToken("acme");
    }

    @AfterEach
    void stop() {
        server.close();
        s3.close();
    }

    @Test
    void neverThenOkThenStaleThenOkAgainWhenASleepingMachineReportsUnchanged() {
        assertEquals("never", tenant().get("status").asText(), "a tenant with a token and no snapshot");
        api.upload("acme", "app", token, "m1", dir, 10, 1);
        assertEquals("ok", database().get("status").asText());

        clock.advance(Duration.ofHours(27));
        JsonNode stale = tenant();
        assertEquals("stale", stale.get("status").asText());
        assertTrue(stale.get("reason").asText().startsWith("app: last backup at "), stale.toString());

        Instant unchangedAt = clock.instant().minusSeconds(60);
        heartbeat("m1", "{\"name\": \"app\", \"lastBackupAt\": \"" + unchangedAt + "\", \"sizeBytes\": 4096}", false);
        JsonNode db = database();
        assertEquals("ok", db.get("status").asText(), db.toString());
        assertEquals(unchangedAt.toString(), db.get("lastBackupAt").asText(), "the agent's unchanged outcome counts");
        JsonNode machine = tenant().get("machines").get(0);
        assertEquals(4096, machine.get("databases").get(0).get("sizeBytes").asLong());
        assertFalse(machine.get("stoppedOnPurpose").asBoolean());
    }

    @Test
    void aMachineThatStoppedOnPurposeIsNotStaleWhileItIsStoppedButOneThatWentSilentIs() {
        api.upload("acme", "app", token, "m1", dir, 10, 1);
        api.upload("acme", "other", token, "m2", dir, 10, 2);
        clock.advance(Duration.ofHours(2));
        heartbeat("m1", "{\"name\": \"app\", \"lastBackupAt\": \"" + clock.instant() + "\"}", true);
        heartbeat("m2", "{\"name\": \"other\", \"lastBackupAt\": \"" + clock.instant() + "\"}", false);

        clock.advance(Duration.ofDays(5));
        JsonNode t = tenant();
        assertEquals("ok", status(t, "app"), "stopped on purpose: its time stopped does not count");
        assertEquals("stale", status(t, "other"), "went silent");
        JsonNode m1 = machine(t, "m1");
        assertTrue(m1.get("stoppedOnPurpose").asBoolean(), m1.toString());
        assertFalse(machine(t, "m2").get("stoppedOnPurpose").asBoolean());

        heartbeat("m1", "{\"name\": \"app\", \"lastBackupAt\": \"" + clock.instant().minus(Duration.ofDays(5))
                + "\"}", false); // it woke up and has not backed up since
        assertEquals("stale", status(tenant(), "app"), "awake again, the clock runs again");
    }

    @Test
    void repeatedAgentErrorsMakeItFailingAndTheNextSuccessRecovers() {
        api.upload("acme", "app", token, "m1", dir, 10, 1);
        Instant success = clock.instant();
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofHours(1));
            String error = "{\"name\": \"app\", \"lastBackupAt\": \"" + success + "\", \"lastError\": \"disk full\","
                    + " \"lastErrorAt\": \"" + clock.instant() + "\"}";
            heartbeat("m1", error, false);
            heartbeat("m1", error, false); // the same error again is one failure, not two
            assertEquals(i < 3 ? "ok" : "failing", database().get("status").asText(), "after " + i + " failures");
        }
        JsonNode failing = database();
        assertTrue(failing.get("reason").asText().contains("machine m1 reported 3 failed backups in a row"),
                failing.toString());
        assertTrue(failing.get("reason").asText().endsWith(": disk full"), failing.toString());

        clock.advance(Duration.ofMinutes(5));
        heartbeat("m1", "{\"name\": \"app\", \"lastBackupAt\": \"" + clock.instant() + "\", \"lastError\": \"disk"
                + " full\", \"lastErrorAt\": \"" + clock.instant().minusSeconds(60) + "\"}", false);
        assertEquals("ok", database().get("status").asText(), "a success after the errors");
    }

    @Test
    void heartbeatDatabasesAreCheckedAndPlainNamesStayAccepted() {
        api.expect(200, "POST", "/api/v1/tenants/acme/heartbeats", token,
                "{\"machineId\": \"m1\", \"databases\": [\"app\", {\"name\": \"cache\"}]}");
        String[][] bad = {
                {"[{\"name\": \"app\", \"lastBackupAt\": \"yesterday\"}]", "lastBackupAt"},
                {"[{\"name\": \"app\", \"sizeBytes\": -1}]", "sizeBytes"},
                {"[{\"name\": \"app\", \"lastErorr\": \"x\"}]", "lastErorr"},
                {"[{\"lastError\": \"x\"}]", "name"},
                {"[\"../x\"]", "databases"},
                {"[\"app\", \"app\"]", "twice"},
                {"[{\"name\": \"app\", \"lastError\": 5}]", "lastError"}};
        for (String[] b : bad) {
            JsonNode e = api.expect(400, "POST", "/api/v1/tenants/acme/heartbeats", token,
                    "{\"machineId\": \"m1\", \"databases\": " + b[0] + "}");
            assertTrue(e.get("message").asText().contains(b[1]), b[0] + " → " + e);
        }
        JsonNode e = api.expect(400, "POST", "/api/v1/tenants/acme/heartbeats", token,
                "{\"machineId\": \"m1\", \"stoppedOnPurpose\": \"yes\"}");
        assertTrue(e.get("message").asText().contains("stoppedOnPurpose"), e.toString());
    }

    private void heartbeat(String machine, String database, boolean stopping) {
        api.expect(200, "POST", "/api/v1/tenants/acme/heartbeats", token, "{\"machineId\": \"" + machine
                + "\", \"databases\": [" + database + "], \"stoppedOnPurpose\": " + stopping + "}");
    }

    private JsonNode tenant() {
        return api.expect(200, "GET", "/api/v1/tenants/acme", server.adminToken(), null);
    }

    private JsonNode database() {
        return tenant().get("databases").get(0);
    }

    private static String status(JsonNode tenant, String database) {
        for (JsonNode d : tenant.get("databases")) {
            if (d.get("database").asText().equals(database)) {
                return d.get("status").asText();
            }
        }
        throw new AssertionError("no database " + database + " in " + tenant);
    }

    private static JsonNode machine(JsonNode tenant, String id) {
        for (JsonNode m : tenant.get("machines")) {
            if (m.get("machineId").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no machine " + id + " in " + tenant);
    }
}
