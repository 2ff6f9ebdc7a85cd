package dev.cellar.server.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A claim is a lease: its holder sees its running request in every heartbeat answer (to resume it after a crash)
 * and renews it by claiming again; another machine is refused while the lease holds and may take over once it has
 * lapsed, after which the old holder's report is refused.
 */
class ClaimLeaseTest {
    @TempDir
    Path dir;

    @Test
    void theHolderResumesAndRenewsItsClaimWhileOthersAreRefusedUntilTheLeaseLapses() throws IOException {
        try (TestServer server = TestServer.startLocal(Files.createDirectories(dir.resolve("data")), Map.of())) {
            Api api = new Api(server);
            String token = server.mintToken("lease1");
            String v1 = api.upload("lease1", "app", token, "m-a", dir, 10, 1);
            String id = request(api, server, "lease1", v1);
            JsonNode first = api.expect(200, "POST", path("lease1", id) + "/claim", token, machine("m-b"));
            Instant lease = Instant.parse(first.get("leaseExpiresAt").asText());
            assertTrue(lease.isAfter(Instant.parse(first.get("claimedAt").asText()).plusSeconds(500)), first::toString);

            JsonNode seenByOther = heartbeat(api, token, "lease1", "m-c");
            assertEquals(List.of(id + ":running:m-b"), summary(seenByOther), "others learn the request is open");
            JsonNode refused = api.expect(409, "POST", path("lease1", id) + "/claim", token, machine("m-c"));
            assertEquals("already_claimed", refused.get("error").asText());
            assertTrue(refused.get("message").asText().contains("m-b"), refused::toString);

            assertEquals(List.of(id + ":running:m-b"), summary(heartbeat(api, token, "lease1", "m-b")));
            JsonNode renewed = api.expect(200, "POST", path("lease1", id) + "/claim", token, machine("m-b"));
            assertEquals("m-b", renewed.get("claimedBy").asText());
            assertTrue(!Instant.parse(renewed.get("leaseExpiresAt").asText()).isBefore(lease), renewed::toString);
            api.expect(200, "POST", path("lease1", id) + "/result", token,
                    "{\"machineId\":\"m-b\",\"state\":\"completed\",\"message\":\"done\"}");
            assertEquals(0, heartbeat(api, token, "lease1", "m-b").get("restores").size());
            assertTrue(api.expect(200, "GET", path("lease1", id), token, null).get("leaseExpiresAt").isNull());
        }
    }

    @Test
    void aLapsedLeaseIsTakenOverAndTheFormerHoldersReportIsRefused() throws Exception {
        try (TestServer server = TestServer.startLocal(Files.createDirectories(dir.resolve("data")),
                Map.of("BACKUP_RESTORE_LEASE", "PT0.2S"))) {
            Api api = new Api(server);
            String token = server.mintToken("lease2");
            String v1 = api.upload("lease2", "app", token, "m-a", dir, 10, 1);
            String id = request(api, server, "lease2", v1);
            api.expect(200, "POST", path("lease2", id) + "/claim", token, machine("m-b"));
            JsonNode taken = null;
            for (int i = 0; i < 600 && taken == null; i++) { // the lease lapses after 200 ms; up to a minute
                var r = api.call("POST", path("lease2", id) + "/claim", token, machine("m-c"));
                if (r.statusCode() == 200) {
                    taken = Api.json(r);
                } else {
                    assertEquals(409, r.statusCode());
                    Thread.sleep(100);
                }
            }
            assertTrue(taken != null, "the lapsed lease was never taken over");
            assertEquals("m-c", taken.get("claimedBy").asText());
            assertEquals("running", taken.get("state").asText());
            assertEquals(List.of(id + ":running:m-c"), summary(heartbeat(api, token, "lease2", "m-b")));
            assertEquals("already_claimed", api.expect(409, "POST", path("lease2", id) + "/result", token,
                    "{\"machineId\":\"m-b\",\"state\":\"completed\"}").get("error").asText());
            JsonNode done = api.expect(200, "POST", path("lease2", id) + "/result", token,
                    "{\"machineId\":\"m-c\",\"state\":\"completed\",\"message\":\"restored\"}");
            assertEquals("completed", done.get("state").asText());
            assertEquals("m-c", done.get("claimedBy").asText());
        }
    }

    private static String request(Api api, TestServer server, String tenant, String version) {
        return api.expect(202, "POST", "/api/v1/tenants/" + tenant + "/databases/app/restores", server.adminToken(),
                "{\"version\":\"" + version + "\",\"onlyIfMissing\":true}").get("id").asText();
    }

    private static JsonNode heartbeat(Api api, String token, String tenant, String machine) {
        return api.expect(200, "POST", "/api/v1/tenants/" + tenant + "/heartbeats", token, machine(machine));
    }

    private static List<String> summary(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.get("restores").forEach(r -> out.add(r.get("id").asText() + ":" + r.get("state").asText() + ":"
                + r.get("claimedBy").asText()));
        return out;
    }

    private static String path(String tenant, String id) {
        return "/api/v1/tenants/" + tenant + "/restores/" + id;
    }

    private static String machine(String id) {
        return "{\"machineId\":\"" + id + "\"}";
    }
}
