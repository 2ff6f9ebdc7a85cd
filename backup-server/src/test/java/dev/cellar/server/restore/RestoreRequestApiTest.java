package dev.cellar.server.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore requests over real HTTP on a server over S3 (S3Proxy): asked by the admin, applied once by an agent. */
class RestoreRequestApiTest {
    private static TestServer server;
    private static Api api;
    @TempDir
    Path dir;
    private String tenant;
    private String token;
    private String admin;
    private String v1;
    private String v2;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new Api(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void tenantWithTwoVersions() {
        tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        token = server.mintToken(tenant);
        admin = server.adminToken();
        v1 = api.upload(tenant, "app", token, "m-a", dir, 10, 1);
        v2 = api.upload(tenant, "app", token, "m-a", dir, 20, 2);
    }

    private String restores() {
        return "/api/v1/tenants/" + tenant + "/restores";
    }

    private JsonNode create(String body) {
        return api.expect(202, "POST", "/api/v1/tenants/" + tenant + "/databases/app/restores", admin, body);
    }

    private JsonNode heartbeat(String machine) {
        return api.expect(200, "POST", "/api/v1/tenants/" + tenant + "/heartbeats", token,
                "{\"machineId\":\"" + machine + "\",\"region\":\"ams\",\"agentVersion\":\"0.1.0\"}");
    }

    private static List<String> ids(JsonNode restores) {
        List<String> ids = new ArrayList<>();
        restores.forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void latestIsPinnedToTheVersionOfThatMomentAndOffered() {
        JsonNode r = create("{\"version\":\"latest\"}");
        assertEquals(v2, r.get("version").asText());
        assertEquals("latest", r.get("requested").asText());
        assertEquals("pending", r.get("state").asText());
        assertTrue(r.get("machineId").isNull());
        assertFalse(r.get("onlyIfMissing").asBoolean());
        List<String> fields = new ArrayList<>();
        r.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("id", "tenant", "database", "version", "requested", "machineId", "onlyIfMissing", "state",
                "createdAt", "claimedBy", "claimedAt", "finishedAt", "message", "leaseExpiresAt"), fields);
        api.upload(tenant, "app", token, "m-a", dir, 30, 3); // newer than the request: it must not move
        String id = r.get("id").asText();
        assertEquals(v2, api.expect(200, "GET", restores() + "/" + id, token, null).get("version").asText());
        assertEquals(List.of(id), ids(heartbeat("m-b").get("restores")));
        assertEquals(List.of(id), ids(api.expect(200, "GET", restores() + "?state=pending", token, null)
                .get("restores")));
    }

    @Test
    void aTargetedRequestIsOfferedToItsMachineOnlyAndAppliedOnce() {
        JsonNode r = create("{\"version\":\"" + v1 + "\",\"machineId\":\"m-b\",\"onlyIfMissing\":true}");
        String id = r.get("id").asText();
        String path = restores() + "/" + id;
        assertEquals(v1, r.get("version").asText());
        assertTrue(r.get("onlyIfMissing").asBoolean());
        assertEquals(0, heartbeat("m-a").get("restores").size());
        assertEquals(List.of(id), ids(heartbeat("m-b").get("restores")));

        assertEquals("wrong_machine", api.expect(409, "POST", path + "/claim", token, "{\"machineId\":\"m-a\"}")
                .get("error").asText());
        JsonNode claimed = api.expect(200, "POST", path + "/claim", token, "{\"machineId\":\"m-b\"}");
        assertEquals("running", claimed.get("state").asText());
        assertEquals("m-b", claimed.get("claimedBy").asText());
        api.expect(200, "POST", path + "/claim", token, "{\"machineId\":\"m-b\"}"); // a retry of the same claim
        JsonNode resumed = heartbeat("m-b").get("restores");
        assertEquals(List.of(id), ids(resumed), "its holder is offered its running request, to resume it");
        assertEquals("running", resumed.get(0).get("state").asText());

        String done = "{\"machineId\":\"m-b\",\"state\":\"completed\",\"message\":\"restored " + v1 + "\"}";
        JsonNode finished = api.expect(200, "POST", path + "/result", token, done);
        assertEquals("completed", finished.get("state").asText());
        assertEquals("restored " + v1, finished.get("message").asText());
        assertFalse(finished.get("finishedAt").isNull());
        api.expect(200, "POST", path + "/result", token, done); // a retry of the same report
        assertEquals("already_finished", api.expect(409, "POST", path + "/result", token,
                "{\"machineId\":\"m-b\",\"state\":\"failed\"}").get("error").asText());
        assertEquals("not_pending", api.expect(409, "POST", path + "/claim", token, "{\"machineId\":\"m-b\"}")
                .get("error").asText());
        assertEquals("completed", api.expect(200, "GET", path, admin, null).get("state").asText());
    }

    @Test
    void ofManyMachinesClaimingAtOnceExactlyOneWins() throws Exception {
        String path = restores() + "/" + create("{\"version\":\"latest\"}").get("id").asText() + "/claim";
        int machines = 8;
        ExecutorService pool = Executors.newFixedThreadPool(machines);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < machines; i++) {
                String body = "{\"machineId\":\"m-" + i + "\"}";
                answers.add(pool.submit(() -> {
                    go.await();
                    return api.call("POST", path, token, body);
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<HttpResponse<byte[]>> a : answers) {
                HttpResponse<byte[]> r = a.get();
                if (r.statusCode() == 200) {
                    won++;
                } else {
                    assertEquals(409, r.statusCode());
                    assertEquals("already_claimed", Api.json(r).get("error").asText());
                }
            }
            assertEquals(1, won);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailureIsReportedWithItsMessageAndAResultWithoutClaimClaims() {
        String id = create("{\"version\":\"" + v1 + "\"}").get("id").asText();
        JsonNode r = api.expect(200, "POST", restores() + "/" + id + "/result", token,
                "{\"machineId\":\"m-c\",\"state\":\"failed\",\"message\":\"integrity_check failed\"}");
        assertEquals("failed", r.get("state").asText());
        assertEquals("m-c", r.get("claimedBy").asText());
        assertEquals("integrity_check failed", r.get("message").asText());
    }

    @Test
    void aNewRequestSupersedesAnOlderPendingOneOfTheSameDatabase() {
        String older = create("{\"version\":\"" + v1 + "\"}").get("id").asText();
        String other = api.expect(202, "POST", "/api/v1/tenants/" + tenant + "/databases/other/restores", admin,
                "{\"version\":\"latest\"}".replace("latest", api.upload(tenant, "other", token, null, dir, 5, 9)))
                .get("id").asText();
        String newer = create("{\"version\":\"latest\"}").get("id").asText();
        JsonNode old = api.expect(200, "GET", restores() + "/" + older, token, null);
        assertEquals("cancelled", old.get("state").asText());
        assertEquals("superseded by " + newer, old.get("message").asText());
        assertEquals(List.of(other, newer), ids(heartbeat("m-a").get("restores")));
        assertEquals(3, api.expect(200, "GET", restores(), admin, null).get("restores").size());
    }

    @Test
    void theAdminCancelsAPendingRequestButNotAFinishedOne() {
        String id = create("{\"version\":\"latest\"}").get("id").asText();
        JsonNode cancelled = api.expect(200, "DELETE", restores() + "/" + id, admin, null);
        assertEquals("cancelled", cancelled.get("state").asText());
        assertEquals("not_pending", api.expect(409, "POST", restores() + "/" + id + "/claim", token,
                "{\"machineId\":\"m-a\"}").get("error").asText());
        assertEquals(0, heartbeat("m-a").get("restores").size());

        String finished = create("{\"version\":\"latest\"}").get("id").asText();
        api.expect(200, "POST", restores() + "/" + finished + "/result", token,
                "{\"machineId\":\"m-a\",\"state\":\"completed\"}");
        assertEquals("not_pending", api.expect(409, "DELETE", restores() + "/" + finished, admin, null)
                .get("error").asText());
    }

    @Test
    void theAdminClosesARequestWhoseMachineDiedWhileApplyingIt() {
        String id = create("{\"version\":\"" + v1 + "\"}").get("id").asText();
        api.expect(200, "POST", restores() + "/" + id + "/claim", token, "{\"machineId\":\"m-gone\"}");
        api.expect(409, "DELETE", "/api/v1/tenants/" + tenant + "/databases/app/snapshots/" + v1, admin, null);

        JsonNode cancelled = api.expect(200, "DELETE", restores() + "/" + id, admin, null);
        assertEquals("cancelled", cancelled.get("state").asText());
        assertEquals("m-gone", cancelled.get("claimedBy").asText());
        assertTrue(cancelled.get("message").asText().contains("m-gone"), cancelled.toString());
        assertEquals("already_finished", api.expect(409, "POST", restores() + "/" + id + "/result", token,
                "{\"machineId\":\"m-gone\",\"state\":\"completed\"}").get("error").asText());
        api.expect(204, "DELETE", "/api/v1/tenants/" + tenant + "/databases/app/snapshots/" + v1, admin, null);
    }

    @Test
    void aSnapshotThatAnOpenRequestRestoresCannotBeDeleted() {
        String id = create("{\"version\":\"" + v1 + "\"}").get("id").asText();
        String snapshot = "/api/v1/tenants/" + tenant + "/databases/app/snapshots/" + v1;
        JsonNode refused = api.expect(409, "DELETE", snapshot, admin, null);
        assertEquals("pinned", refused.get("error").asText());
        assertTrue(refused.get("message").asText().contains(id), refused.toString());
        api.expect(204, "DELETE", "/api/v1/tenants/" + tenant + "/databases/app/snapshots/" + v2, admin, null);

        api.expect(200, "DELETE", restores() + "/" + id, admin, null);
        api.expect(204, "DELETE", snapshot, admin, null);
    }
}
