package dev.cellar.server.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versions an agent's boot restore skipped, as its heartbeats report them, the machine record keeps them and the
 * tenant's overview lists them.
 */
class SkippedVersionsHeartbeatTest {
    private static final String VERSION = "20261201T010203004Z-0123abcd";
    @TempDir
    Path storage;

    private static String heartbeat(String skippedVersions) {
        return "{\"machineId\":\"m-a\",\"agentVersion\":\"0.1.0\",\"databases\":[\"app\"],\"skippedVersions\":"
                + skippedVersions + "}";
    }

    @Test
    void aHeartbeatsSkippedVersionsAreStoredInTheMachineRecordAndTheNextHeartbeatReplacesThem() throws Exception {
        try (TestServer server = TestServer.startLocal(storage, Map.of())) {
            Api api = new Api(server);
            String token = server.mintToken("skip1");
            api.expect(200, "POST", "/api/v1/tenants/skip1/heartbeats", token, heartbeat("[{\"database\":\"app\","
                    + "\"version\":\"" + VERSION + "\",\"reason\":\"fails integrity_check: Page 11: never used\"}]"));

            JsonNode skipped = record().get("skippedVersions");
            assertEquals(1, skipped.size(), skipped::toString);
            assertEquals("app", skipped.get(0).get("database").asText());
            assertEquals(VERSION, skipped.get(0).get("version").asText());
            assertTrue(skipped.get(0).get("reason").asText().contains("integrity_check"));
            JsonNode listed = api.expect(200, "GET", "/api/v1/tenants/skip1", server.adminToken(), null)
                    .get("machines").get(0).get("skippedVersions");
            assertEquals(skipped, listed, "the tenant's overview lists what the record keeps");

            api.expect(200, "POST", "/api/v1/tenants/skip1/heartbeats", token,
                    "{\"machineId\":\"m-a\",\"agentVersion\":\"0.1.0\",\"databases\":[\"app\"]}");
            assertEquals(0, record().get("skippedVersions").size());
            assertEquals(0, api.expect(200, "GET", "/api/v1/tenants/skip1", server.adminToken(), null)
                    .get("machines").get(0).get("skippedVersions").size());
        }
    }

    @Test
    void anInvalidSkippedVersionIsRefusedWithA400AndNothingIsWritten() throws Exception {
        try (TestServer server = TestServer.startLocal(storage, Map.of())) {
            Api api = new Api(server);
            String token = server.mintToken("skip2");
            for (String bad : new String[] {
                    "[{\"database\":\"../evil\",\"version\":\"" + VERSION + "\",\"reason\":\"x\"}]",
                    "[{\"database\":\"app\",\"version\":\"../latest\",\"reason\":\"x\"}]",
                    "[{\"database\":\"app\",\"version\":\"" + VERSION + "\",\"reason\":\"two\\nlines\"}]",
                    "[{\"database\":\"app\",\"version\":\"" + VERSION + "\",\"reason\":\"x\",\"extra\":1}]",
                    "[\"app\"]"}) {
                JsonNode error = api.expect(400, "POST", "/api/v1/tenants/skip2/heartbeats", token, heartbeat(bad));
                assertTrue(error.get("error").asText().startsWith("invalid_"), error::toString);
                assertTrue(error.get("message").asText().contains("skippedVersions"), error::toString);
            }
            assertFalse(Files.exists(recordFile()));
        }
    }

    private JsonNode record() throws Exception {
        return new ObjectMapper().readTree(Files.readAllBytes(recordFile()));
    }

    private Path recordFile() throws Exception {
        try (var files = Files.walk(storage)) {
            return files.filter(p -> p.endsWith(Path.of("machines", "m-a.json"))).findFirst()
                    .orElse(storage.resolve("none"));
        }
    }
}
