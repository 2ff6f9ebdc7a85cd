package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.files.InsufficientSpaceException;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.Servers;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.core.Hex;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotUploadTest {
    private static TestServer server;
    private static FaultProxy proxy;
    private static int tenantCounter;

    @TempDir
    Path data;
    private String tenant;
    private String token;
    private Path db;

    @BeforeAll
    static void startServer() throws IOException {
        server = Servers.start();
        proxy = FaultProxy.start(server.baseUri());
    }

    @AfterAll
    static void stopServer() {
        proxy.close();
        server.close();
    }

    @BeforeEach
    void newTenant() throws Exception {
        proxy.heal();
        tenant = "snap" + (++tenantCounter);
        token = server.mintToken(tenant);
        db = TestDatabases.create(data.resolve("main.sqlite3"), 500, 1);
    }

    private Agent agent(URI via) {
        return AgentFixture.agent(AgentFixture.env(via, tenant, token, data));
    }

    private Database main() {
        return new Database("main", db);
    }

    @Test
    void snapshotUploadsAnImageTheServerServesBackIdentical() throws Exception {
        SnapshotResult r = agent(server.baseUri()).snapshots().runOnce().results().get(0);

        assertEquals(SnapshotResult.Outcome.UPLOADED, r.outcome());
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.baseUri()
                        .resolve("/api/v1/tenants/" + tenant + "/databases/main/snapshots/latest"))
                .header("Authorization", "Bearer " + token).header("Accept", "application/vnd.sqlite3").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(r.sha256(), Hex.of(Hex.sha256().digest(download.body())));
        Path copy = data.resolve("copy.db");
        Files.write(copy, download.body());
        assertEquals(TestDatabases.rows(db), TestDatabases.rows(copy));
        assertEquals("machine-1", agent(server.baseUri()).client().list("main", 1, Optional.empty())
                .snapshots().get(0).machineId().orElseThrow());
        assertNoTempFiles();
    }

    @Test
    void unchangedDatabaseIsNotSentAgainEvenByANewAgentProcess() throws Exception {
        agent(proxy.uri()).snapshots().runOnce();
        SnapshotResult again = agent(proxy.uri()).snapshots().runOnce().results().get(0);

        assertEquals(SnapshotResult.Outcome.UNCHANGED, again.outcome());
        assertEquals(1, proxy.count("POST", "/tenants/" + tenant + "/"));
        TestDatabases.addRows(db, 10, 2);
        SnapshotResult changed = agent(proxy.uri()).snapshots().runOnce().results().get(0);
        assertEquals(SnapshotResult.Outcome.UPLOADED, changed.outcome());
        assertEquals(2, list().size());
    }

    @Test
    void lostStateMeansOneMoreUploadThatTheServerRecognisesAsUnchanged() throws Exception {
        Agent agent = agent(server.baseUri());
        agent.snapshots().runOnce();
        Files.delete(agent.state().fileFor(main()));

        SnapshotResult r = agent.snapshots().runOnce().results().get(0);

        assertEquals(SnapshotResult.Outcome.UNCHANGED_ON_SERVER, r.outcome());
        assertEquals(1, list().size());
    }

    @Test
    void anUnchangedDatabaseIsReconfirmedWithTheServerOnceItsLastUploadIsADayOld() throws Exception {
        Agent agent = agent(proxy.uri());
        agent.snapshots().runOnce();
        UploadState.Entry last = agent.state().read(main()).orElseThrow();
        agent.state().write(main(), new UploadState.Entry(last.sha256(), last.version(), last.sizeBytes(),
                last.storedBytes(), last.at().minus(java.time.Duration.ofHours(25))));

        SnapshotResult r = agent.snapshots().runOnce().results().get(0);

        assertEquals(SnapshotResult.Outcome.UNCHANGED_ON_SERVER, r.outcome());
        assertEquals(2, proxy.count("POST", "/tenants/" + tenant + "/"));
        assertEquals(SnapshotResult.Outcome.UNCHANGED, agent.snapshots().runOnce().results().get(0).outcome());
    }

    @Test
    void uploadIsRetriedThroughDroppedConnectionsAnd503sThenSucceeds() throws Exception {
        proxy.enqueue(Fault.drop("POST"), Fault.status("POST", 503, "0"), Fault.status("POST", 429, null));

        SnapshotService.Round round = agent(proxy.uri()).snapshots().runOnce();

        assertTrue(round.ok(), round.failures().toString());
        assertEquals(4, proxy.count("POST", "/tenants/" + tenant + "/"));
        assertEquals(1, list().size());
        assertNoTempFiles();
    }

    @Test
    void uploadGivesUpAfterItsAttemptsWhenTheServerStaysDownAndLeavesNoTempFiles() throws Exception {
        proxy.always(Fault.status("POST", 503, "0"));

        SnapshotService.Round round = agent(proxy.uri()).snapshots().runOnce();

        assertInstanceOf(ServerUnavailableException.class, round.failures().get("main"));
        assertEquals(4, proxy.count("POST", "/tenants/" + tenant + "/"));
        proxy.heal();
        assertEquals(0, list().size());
        assertNoTempFiles();
    }

    @Test
    void unreachableServerIsReportedAsUnavailable() throws Exception {
        URI nothingListens;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nothingListens = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }

        SnapshotService.Round round = agent(nothingListens).snapshots().runOnce();

        assertInstanceOf(ServerUnavailableException.class, round.failures().get("main"));
        assertNoTempFiles();
    }

    @Test
    void badRequestIsNotRetried() throws Exception {
        proxy.enqueue(Fault.status("POST", 400, null));

        SnapshotService.Round round = agent(proxy.uri()).snapshots().runOnce();

        ApiException e = assertInstanceOf(ApiException.class, round.failures().get("main"));
        assertEquals(400, e.status());
        assertEquals(1, proxy.count("POST", "/tenants/" + tenant + "/"));
        assertNoTempFiles();
    }

    @Test
    void wrongTokenIsRefusedOnceWithoutRetries() throws Exception {
        token = server.mintToken("someone-else");

        SnapshotService.Round round = agent(proxy.uri()).snapshots().runOnce();

        ApiException e = assertInstanceOf(ApiException.class, round.failures().get("main"));
        assertEquals(403, e.status());
        assertEquals(1, proxy.count("POST", "/tenants/" + tenant + "/"));
    }

    @Test
    void snapshotFailingQuickCheckIsNeverUploaded() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE strict_one (id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO strict_one VALUES (1, NULL)");
            // declare the column NOT NULL after the fact: the stored NULL now violates the schema
            s.execute("PRAGMA writable_schema = ON");
            s.execute("UPDATE sqlite_schema SET sql = 'CREATE TABLE strict_one (id INTEGER PRIMARY KEY, v TEXT NOT NULL)'"
                    + " WHERE name = 'strict_one'");
        }

        SnapshotService.Round round = agent(proxy.uri()).snapshots().runOnce();

        Exception e = round.failures().get("main");
        assertInstanceOf(SnapshotRefusedException.class, e);
        assertTrue(e.getMessage().contains("quick_check"), e.getMessage());
        assertEquals(0, proxy.count("POST", "/tenants/" + tenant + "/"));
        assertNoTempFiles();
    }

    @Test
    void snapshotThatCannotFitFailsBeforeWritingAnything() throws Exception {
        long dbSize = Files.size(db);
        // room for half the snapshot above the 64 MiB reserve (its compressed form never touches the disk)
        Agent agent = AgentFixture.agent(AgentFixture.env(proxy.uri(), tenant, token, data),
                folder -> (64L << 20) + dbSize / 2);

        SnapshotService.Round round = agent.snapshots().runOnce();

        assertInstanceOf(InsufficientSpaceException.class, round.failures().get("main"));
        assertEquals(0, proxy.count("POST", "/tenants/" + tenant + "/"));
        assertNoTempFiles();
    }

    @Test
    void snapshotUnderAConcurrentWriterIsConsistentAndTheWriterIsNeverRefused() throws Exception {
        try (Connection setup = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = setup.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
        }
        int before = TestDatabases.rows(db).size();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                while (!stop.get() || commits.get() < 50) {
                    s.execute("INSERT INTO items (name) VALUES ('concurrent-" + commits.get() + "')");
                    commits.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (commits.get() < 50) {
            Thread.onSpinWait(); // let the writer get going before the snapshot starts
        }

        SnapshotResult r = agent(server.baseUri()).snapshots().runOnce().results().get(0);
        stop.set(true);
        writer.get(); // throws if any commit failed

        assertEquals(SnapshotResult.Outcome.UPLOADED, r.outcome());
        Path restored = data.resolve("restored").resolve("main.sqlite3");
        agent(server.baseUri()).restorer().restore("main", dev.cellar.agent.client.SnapshotSelector.latest(),
                restored, false);
        List<String> rows = TestDatabases.rows(restored);
        assertTrue(rows.size() >= before + 50 && rows.size() <= before + commits.get(), rows.size() + " rows");
        // a consistent cut: the concurrent rows present are exactly a prefix of the commits
        long concurrent = rows.stream().filter(row -> row.contains("|concurrent-")).count();
        assertEquals(rows.size() - before, concurrent);
        assertTrue(rows.get(rows.size() - 1).contains("|concurrent-" + (concurrent - 1) + "|"), rows.get(rows.size() - 1));
        assertEquals(List.of(), dev.cellar.core.SqliteChecks.integrityCheck(restored));
    }

    @Test
    void staleTempFilesOfADeadAgentAreRemovedAtStart() throws Exception {
        Path stale = data.resolve(".cellar-999999999-1-123-main.sqlite3.tmp");
        Files.writeString(stale, "left by a crash");

        agent(server.baseUri()).removeStaleTempFiles();

        assertTrue(Files.notExists(stale));
    }

    private List<SnapshotInfo> list() throws Exception {
        return agent(server.baseUri()).client().list("main", 100, Optional.empty()).snapshots();
    }

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), names);
        }
    }

}
