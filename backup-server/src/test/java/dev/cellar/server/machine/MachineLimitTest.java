package dev.cellar.server.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tenant's token cannot make the server keep (and read on every overview) any number of machine records. */
class MachineLimitTest {
    @TempDir
    Path dir;

    private static String beat(String machine) {
        return "{\"machineId\": \"" + machine + "\", \"databases\": [\"app\"]}";
    }

    @Test
    void heartbeatsFromMoreMachinesThanTheCapAreRefusedKnownOnesGoOn() {
        try (TestServer server = TestServer.startLocal(dir, Map.of("BACKUP_MAX_MACHINES_PER_TENANT", "3"))) {
            Api api = new Api(server);
            String acme = server.mintToken("acme");
            String heartbeats = "/api/v1/tenants/acme/heartbeats";
            for (int i = 1; i <= 3; i++) {
                api.expect(200, "POST", heartbeats, acme, beat("m" + i));
            }
            JsonNode refused = api.expect(409, "POST", heartbeats, acme, beat("made-up-4"));
            assertEquals("too_many_machines", refused.get("error").asText());
            assertTrue(refused.get("message").asText().contains("BACKUP_MAX_MACHINES_PER_TENANT"), refused.toString());
            api.expect(200, "POST", heartbeats, acme, beat("m2")); // a known machine keeps reporting
            assertEquals(3, api.expect(200, "GET", "/api/v1/tenants/acme", server.adminToken(), null)
                    .get("machines").size());
            String other = server.mintToken("other");
            api.expect(200, "POST", "/api/v1/tenants/other/heartbeats", other, beat("m9"));
        }
    }
}
