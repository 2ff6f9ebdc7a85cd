package dev.cellar.server.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which machines a tenant runs on, from heartbeats and uploads, and the warning when two of them fork history. */
class MachinesAndForksTest {
    private static TestServer server;
    private static Api api;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new Api(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newTenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode overview(String tenant) {
        return api.expect(200, "GET", "/api/v1/tenants/" + tenant, server.adminToken(), null);
    }

    private static Map<String, JsonNode> machines(JsonNode overview) {
        Map<String, JsonNode> byId = new HashMap<>();
        overview.get("machines").forEach(m -> byId.put(m.get("machineId").asText(), m));
        return byId;
    }

    @Test
    void heartbeatsAndUploadsShowTheMachinesSeen() {
        String t = newTenant();
        String token = server.mintToken(t);
        assertTrue(overview(t).get("lastHeartbeatAt").isNull());
        api.expect(200, "POST", "/api/v1/tenants/" + t + "/heartbeats", token,
                "{\"machineId\":\"m-a\",\"region\":\"ams\",\"agentVersion\":\"0.1.0\",\"databases\":[\"app\"]}");
        api.upload(t, "app", token, "m-b", dir, 5, 1);

        JsonNode o = overview(t);
        assertFalse(o.get("lastHeartbeatAt").isNull());
        Map<String, JsonNode> seen = machines(o);
        assertEquals(2, seen.size(), o.toString());
        assertEquals("ams", seen.get("m-a").get("region").asText());
        assertEquals("0.1.0", seen.get("m-a").get("agentVersion").asText());
        assertFalse(seen.get("m-a").get("lastSeenAt").isNull());
        assertTrue(seen.get("m-a").get("lastUploadAt").isNull());
        assertTrue(seen.get("m-b").get("lastSeenAt").isNull());
        assertFalse(seen.get("m-b").get("lastUploadAt").isNull());
        assertEquals("m-b", o.get("databases").get(0).get("latest").get("machineId").asText());
        assertEquals(0, o.get("warnings").size());
    }

    /** A new tenant with one upload per "database:machine" step, in order. */
    private String tenantUploading(String... steps) {
        String t = newTenant();
        String token = server.mintToken(t);
        for (int i = 0; i < steps.length; i++) {
            String[] step = steps[i].split(":");
            api.upload(t, step[0], token, step[1], dir, 5 + i, i + 1);
        }
        return t;
    }

    @Test
    void aHandOverToACloneIsNotAFork() {
        String t = tenantUploading("app:m-old", "app:m-old", "app:m-new", "app:m-new");
        assertEquals(0, overview(t).get("warnings").size(), overview(t).toString());
    }

    @Test
    void twoMachinesUploadingInTurnAreAFork() {
        String t = tenantUploading("app:m-old", "app:m-clone", "app:m-old");
        JsonNode warnings = overview(t).get("warnings");
        assertEquals(1, warnings.size());
        assertEquals("forked_history", warnings.get(0).get("code").asText());
        String message = warnings.get(0).get("message").asText();
        assertTrue(message.contains("m-old") && message.contains("m-clone"), message);
        JsonNode listed = api.expect(200, "GET", "/api/v1/tenants", server.adminToken(), null).get("tenants");
        listed.forEach(o -> {
            if (o.get("tenant").asText().equals(t)) {
                assertEquals(1, o.get("warnings").size());
            }
        });
    }

    @Test
    void uploadsToDifferentDatabasesCountForOneTenant() {
        String t = tenantUploading("app:m-old", "cache:m-clone", "app:m-old");
        assertEquals(1, overview(t).get("warnings").size());
    }
}
