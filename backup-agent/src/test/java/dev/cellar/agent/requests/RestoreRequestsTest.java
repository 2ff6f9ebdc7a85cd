package dev.cellar.agent.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.Agent;
import dev.cellar.agent.cli.AgentCommand;
import dev.cellar.agent.cli.ExitCodes;
import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.restore.BootRestore;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore requests as one agent (machine m2) meets them, in this JVM against a real server. */
class RestoreRequestsTest {
    private static TestServer server;
    private static Path storage;
    private static Admin admin;
    private static int tenants;

    @TempDir
    Path data;
    private String tenant;
    private Map<String, String> env;
    private Agent agent;
    private Path db;

    @BeforeAll
    static void startServer() throws IOException {
        storage = Files.createTempDirectory("cellar-requests-storage");
        server = Servers.start(storage);
        admin = new Admin(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Versions v1 (5 rows) and v2 (12 rows) of database "app" on the server; the file holds v2's rows. */
    @BeforeEach
    void twoVersions() throws Exception {
        tenant = "req" + (++tenants);
        db = data.resolve("app.sqlite3");
        env = new HashMap<>(AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data));
        env.put(AgentConfigLoader.DATABASES, "app=" + db);
        env.put(AgentConfigLoader.MACHINE_ID, "m2");
        agent = AgentFixture.agent(env);
        TestDatabases.create(db, 5, 1);
        assertTrue(agent.snapshots().runOnce().ok());
        TestDatabases.addRows(db, 7, 2);
        assertTrue(agent.snapshots().runOnce().ok());
    }

    private String v1() {
        return admin.versions(tenant, "app").get(1);
    }

    private String v2() {
        return admin.versions(tenant, "app").get(0);
    }

    private RestoreRequests requests() {
        return agent.restoreRequests().orElseThrow();
    }

    private LiveRestore live() {
        return new LiveRestore(requests(), agent.databases(), agent.snapshotter(), agent.restorer(), agent.state());
    }

    private List<RestoreResult> bootRestore(BootRequests boot) throws Exception {
        return new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                new BootRestore.Settings(server.baseUri(), false)).restoreMissing(agent::serverDatabases, boot);
    }

    @Test
    void aRequestAnotherMachineClaimedFirstStopsTheBootInsteadOfRestoringTheLatest() throws Exception {
        Files.delete(db);
        String id = admin.requestRestore(tenant, "app", v1(), null, true).get("id").asText();
        BootRequests boot = BootRequests.fetch(requests(), agent.restorer());
        assertEquals(List.of(id), boot.pending().stream().map(RestoreRequest::id).toList());
        admin.claim(tenant, id, "m1"); // between m2's heartbeat and its claim

        RequestHeldElsewhereException e = assertThrows(RequestHeldElsewhereException.class, () -> bootRestore(boot));

        assertTrue(e.getMessage().contains("m1"), e::getMessage);
        assertFalse(Files.exists(db));
        assertEquals("m1", admin.restore(tenant, id).get("claimedBy").asText());
        assertEquals("running", admin.restore(tenant, id).get("state").asText());
    }

    @Test
    void aRequestedRestoreThatFailsAtBootIsReportedAndTheAppDoesNotStart() throws Exception {
        Files.delete(db);
        String v1 = v1();
        String id = admin.requestRestore(tenant, "app", v1, "m2", true).get("id").asText();
        Servers.damage(storage, v1);
        Path marker = data.resolve("app-started");

        int status = AgentCommand.commandLine(env, new FileStoreDiskSpace()).execute("run", "--", "touch",
                marker.toString());

        assertEquals(ExitCodes.FAILED, status);
        assertFalse(Files.exists(marker));
        assertFalse(Files.exists(db));
        JsonNode request = admin.restore(tenant, id);
        assertEquals("failed", request.get("state").asText(), request::toString);
        assertTrue(request.get("message").asText().contains(v1), request::toString);
    }

    @Test
    void aLiveRollbackIsAppliedOnceAndTheRolledBackContentIsTheNextUpload() throws Exception {
        String v1 = v1();
        String v2 = v2();
        String id = admin.requestRestore(tenant, "app", v1, null, false).get("id").asText();
        List<RestoreRequest> pending = requests().heartbeat();

        live().applyAll(pending);

        assertEquals(5, TestDatabases.rows(db).size());
        JsonNode request = admin.restore(tenant, id);
        assertEquals("completed", request.get("state").asText(), request::toString);
        // the pre-restore snapshot is the copy taken under the write lock: a new version with v2's rows
        List<String> versions = admin.versions(tenant, "app");
        assertEquals(3, versions.size());
        assertTrue(request.get("message").asText().endsWith("pre-restore snapshot " + versions.get(0)),
                request::toString);
        assertTrue(versions.contains(v2));

        TestDatabases.addRows(db, 3, 3);
        live().applyAll(pending); // the same answer again, as a heartbeat could bring it: not applied twice
        assertEquals(8, TestDatabases.rows(db).size());

        SnapshotResult next = agent.snapshots().runOnce().results().get(0);
        assertEquals(SnapshotResult.Outcome.UPLOADED, next.outcome());
    }

    @Test
    void aLiveRollbackThatFailsLeavesTheDatabaseAsItWas() throws Exception {
        String v1 = v1();
        String id = admin.requestRestore(tenant, "app", v1, "m2", false).get("id").asText();
        Servers.damage(storage, v1);
        List<String> before = TestDatabases.rows(db);

        live().applyAll(requests().heartbeat());

        assertEquals(before, TestDatabases.rows(db));
        JsonNode request = admin.restore(tenant, id);
        assertEquals("failed", request.get("state").asText(), request::toString);
        assertTrue(request.get("message").asText().contains("left as it was"), request::toString);
    }

    @Test
    void onlyIfMissingRequestsAndOtherMachinesRequestsAreLeftAlone() throws Exception {
        String v1 = v1();
        String forClones = admin.requestRestore(tenant, "app", v1, null, true).get("id").asText();
        List<String> before = TestDatabases.rows(db);

        live().applyAll(requests().heartbeat());

        assertEquals(before, TestDatabases.rows(db));
        assertEquals("pending", admin.restore(tenant, forClones).get("state").asText());

        String forM1 = admin.requestRestore(tenant, "app", v1, "m1", false).get("id").asText();
        List<RestoreRequest> pending = requests().heartbeat();
        live().applyAll(pending);

        assertTrue(pending.stream().noneMatch(r -> r.id().equals(forM1)), pending::toString);
        assertEquals(before, TestDatabases.rows(db));
        assertEquals("pending", admin.restore(tenant, forM1).get("state").asText());
    }
}
