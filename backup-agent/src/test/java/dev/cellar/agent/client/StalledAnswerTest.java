package dev.cellar.agent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server (or a proxy) that sends the headers and part of a body and then goes silent, the connection open:
 * no read of a body waits longer than {@code BACKUP_REQUEST_TIMEOUT} without a byte. A download resumes with
 * {@code Range}; a JSON answer is asked again. Without that bound each of these tests would hang until its
 * {@link Timeout}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalledAnswerTest {
    private static TestServer server;
    private static FaultProxy proxy;
    private static int tenants;

    @TempDir
    Path data;

    @BeforeAll
    static void start() throws IOException {
        server = Servers.start();
        proxy = FaultProxy.start(server.baseUri());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        server.close();
    }

    @AfterEach
    void heal() {
        proxy.heal();
    }

    private Agent agent(String tenant) {
        Map<String, String> env = AgentFixture.env(proxy.uri(), tenant, server.mintToken(tenant), data);
        env.put(AgentConfigLoader.REQUEST_TIMEOUT, "1s");
        return AgentFixture.agent(env);
    }

    @Test
    void aDownloadThatStallsMidBodyIsAbortedAndResumedFromWhereItStopped() throws Exception {
        Agent agent = agent("stall" + (++tenants));
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 3000, 7);
        List<String> rows = TestDatabases.rows(db);
        SnapshotResult backup = agent.snapshots().runOnce().results().get(0);
        Files.delete(db);
        int stalls = proxy.stalls();
        long downloads = proxy.count("GET", "/snapshots/");
        proxy.enqueue(Fault.stallBodyAfter("GET", backup.storedBytes() / 3));

        RestoreResult r = agent.restorer().restore("main", SnapshotSelector.latest(), db, false);

        assertEquals(backup.version().orElseThrow(), r.version());
        assertEquals(rows, TestDatabases.rows(db));
        assertEquals(stalls + 1, proxy.stalls());
        assertTrue(r.resumes() >= 1, "resumes: " + r.resumes());
        assertEquals(downloads + r.resumes() + 1, proxy.count("GET", "/snapshots/"));
    }

    @Test
    void aJsonAnswerThatStallsIsAbortedAndAskedAgain() throws Exception {
        Agent agent = agent("stall" + (++tenants));
        TestDatabases.create(data.resolve("main.sqlite3"), 200, 3);
        int stalls = proxy.stalls();
        long uploads = proxy.count("POST", "/snapshots");
        long heartbeats = proxy.count("POST", "/heartbeats");
        proxy.enqueue(Fault.stallBodyAfter("POST", 5).onPath("/snapshots"),
                Fault.stallBodyAfter("POST", 3).onPath("/heartbeats"));

        SnapshotResult upload = agent.snapshots().runOnce().results().get(0);
        assertTrue(upload.version().isPresent(), upload::toString);
        assertEquals(List.of(), agent.restoreRequests().orElseThrow().heartbeat());

        assertEquals(stalls + 2, proxy.stalls());
        assertEquals(uploads + 2, proxy.count("POST", "/snapshots"));
        assertEquals(heartbeats + 2, proxy.count("POST", "/heartbeats"));
    }
}
