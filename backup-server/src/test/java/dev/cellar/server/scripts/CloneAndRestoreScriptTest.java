package dev.cellar.server.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.scripts.ScriptRunner.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** clone-and-restore.sh against a real server; the test plays the clone's agent. */
class CloneAndRestoreScriptTest extends ScriptTestBase {
    /** Set when a script run with {@link #playTheClone} in the background has finished. */
    private volatile boolean scriptDone;

    @Test
    void cloneAndRestoreWaitsForTheClonesAgent() throws Exception {
        String tenant = newTenant();
        String token = server.mintToken(tenant);
        String app = uploadVersions(tenant, "app", 2, token).get(1);
        String queue = api.upload(tenant, "queue", token, "m1", work, 5, 9);

        CompletableFuture<List<String>> agent = CompletableFuture.supplyAsync(() -> playTheClone(tenant, token,
                "completed"));
        Result r = scripts.run("clone-and-restore.sh", "3d8d9e1c2e4f68", "--tenant", tenant, "--app", "cells",
                "--region", "ams");
        scriptDone = true;
        List<String> applied = agent.get(2, TimeUnit.MINUTES);

        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(List.of("machine", "clone", "3d8d9e1c2e4f68", "--region", "ams", "-a", "cells")),
                scripts.flyCalls());
        assertEquals(2, applied.size(), applied.toString());
        assertTrue(r.stdout().contains("version " + app + " (asked for latest)")
                && r.stdout().contains("version " + queue + " (asked for latest)"), r.toString());
        for (String[] dbAndVersion : new String[][] {{"app", app}, {"queue", queue}}) {
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(dbAndVersion[0] + " ")
                    && l.contains(dbAndVersion[1]) && l.contains("completed") && l.contains(ScriptRunner.CLONE)),
                    r.toString());
        }
        assertTrue(r.stdout().contains("source machine 3d8d9e1c2e4f68 still runs")
                && r.stdout().contains("forked_history"), r.toString());
        for (JsonNode request : restores(tenant)) {
            assertTrue(request.path("onlyIfMissing").asBoolean(), request.toString());
            assertEquals("completed", request.path("state").asText(), request.toString());
        }
    }

    @Test
    void cloneAndRestoreOfOnePinnedVersionReportsAFailedRestore() throws Exception {
        String tenant = newTenant();
        String token = server.mintToken(tenant);
        String older = uploadVersions(tenant, "app", 2, token).get(0);

        CompletableFuture<List<String>> agent = CompletableFuture.supplyAsync(() -> playTheClone(tenant, token,
                "failed"));
        Result r = scripts.env("FLY_APP", "cells").run("clone-and-restore.sh", tenant, "--database", "app",
                "--version", older);
        scriptDone = true;
        agent.get(2, TimeUnit.MINUTES);

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stdout().contains("version " + older + " (asked for " + older + ")"), r.toString());
        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("app ") && l.contains("failed")
                && l.contains("the stand-in agent says failed")), r.toString());
    }

    @Test
    void cloneAndRestoreTimesOutAndLeavesTheRequestPending() throws Exception {
        String tenant = newTenant();
        uploadVersions(tenant, "app", 1, server.mintToken(tenant));

        Result r = scripts.run("clone-and-restore.sh", "3d8d9e1c2e4f68", "--tenant", tenant, "--app", "cells",
                "--timeout", "2");

        assertEquals(5, r.exit(), r.toString());
        JsonNode request = restores(tenant).get(0);
        assertEquals("pending", request.path("state").asText());
        assertTrue(r.stderr().contains("timed out") && r.stderr().contains("stays pending")
                && r.stderr().contains("curl -X DELETE")
                && r.stderr().contains("/api/v1/tenants/" + tenant + "/restores/" + request.path("id").asText()),
                r.toString());
        assertFalse(r.all().contains(server.adminToken()), r.toString());
    }

    @Test
    void aFailedCloneCancelsItsRestoreRequests() throws Exception {
        String tenant = newTenant();
        String token = server.mintToken(tenant);
        uploadVersions(tenant, "app", 1, token);
        api.upload(tenant, "queue", token, "m1", work, 5, 9);

        Result r = scripts.env("FLY_STANDIN_EXIT", "1").run("clone-and-restore.sh", "3d8d9e1c2e4f68", "--tenant",
                tenant, "--app", "cells");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("fly machine clone failed"), r.toString());
        JsonNode requests = restores(tenant);
        assertEquals(2, requests.size(), requests.toString());
        for (JsonNode request : requests) {
            assertEquals("cancelled", request.path("state").asText(), request.toString());
        }
    }

    @Test
    void cloneAndRestoreChecksItsArguments() {
        Result versionAlone = scripts.run("clone-and-restore.sh", "m1", "--version", "20261121T093000123Z-1a2b3c4d");
        assertEquals(2, versionAlone.exit(), versionAlone.toString());
        assertTrue(versionAlone.stderr().contains("--version needs --database"), versionAlone.toString());

        Result nothing = scripts.run("clone-and-restore.sh", "m1", "--tenant", "nobody-" + newTenant());
        assertEquals(1, nothing.exit(), nothing.toString());
        assertTrue(nothing.stderr().contains("HTTP 404"), nothing.toString());
        assertTrue(scripts.flyCalls().isEmpty(), scripts.flyCalls().toString());
    }

    /**
     * Plays the clone's agent: once the stand-in fly has made the clone, heartbeats as it until the server offers
     * its restore requests, then claims each and reports {@code state}. Returns the ids it finished.
     */
    private List<String> playTheClone(String tenant, String token, String state) {
        try {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (scripts.flyCalls().stream().noneMatch(c -> c.size() > 1 && c.get(1).equals("clone"))) {
                if (Instant.now().isAfter(deadline) || scriptDone) {
                    throw new AssertionError("the script never cloned the machine");
                }
                Thread.sleep(50);
            }
            String base = "/api/v1/tenants/" + tenant;
            JsonNode offered = post(base + "/heartbeats", token,
                    "{\"machineId\":\"" + ScriptRunner.CLONE + "\",\"region\":\"ams\",\"databases\":[]}")
                    .path("restores");
            List<String> ids = new ArrayList<>();
            for (JsonNode request : offered) {
                String id = request.path("id").asText();
                post(base + "/restores/" + id + "/claim", token, "{\"machineId\":\"" + ScriptRunner.CLONE + "\"}");
                post(base + "/restores/" + id + "/result", token, "{\"state\":\"" + state
                        + "\",\"message\":\"the stand-in agent says " + state + "\",\"machineId\":\""
                        + ScriptRunner.CLONE + "\"}");
                ids.add(id);
            }
            return ids;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
