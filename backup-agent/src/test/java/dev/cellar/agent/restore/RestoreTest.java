package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.agent.testing.LogLines;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreTest {
    private static Path storage;
    private static TestServer server;
    private static FaultProxy proxy;
    private static int tenantCounter;

    @TempDir
    Path data;
    @TempDir
    Path elsewhere;
    private String tenant;
    private String token;
    private Path db;
    private List<String> backedUpRows;
    private SnapshotResult backup;

    @BeforeAll
    static void startServer() throws IOException {
        storage = Files.createTempDirectory("cellar-restore-storage");
        server = Servers.start(storage);
        proxy = FaultProxy.start(server.baseUri());
    }

    @AfterAll
    static void stopServer() {
        proxy.close();
        server.close();
    }

    @BeforeEach
    void backedUpDatabase() throws Exception {
        proxy.heal();
        tenant = "rest" + (++tenantCounter);
        token = server.mintToken(tenant);
        db = TestDatabases.create(data.resolve("main.sqlite3"), 3000, 7);
        backedUpRows = TestDatabases.rows(db);
        backup = agent(server.baseUri()).snapshots().runOnce().results().get(0);
    }

    private Agent agent(URI via) {
        return AgentFixture.agent(AgentFixture.env(via, tenant, token, data));
    }

    @Test
    void restoreIntoMissingTargetInstallsTheSnapshotAndForgetsStaleSideFiles() throws Exception {
        Files.delete(db);
        Files.writeString(Path.of(db + "-wal"), "a WAL of a database that is gone");

        RestoreResult r;
        try (LogLines log = LogLines.of(Restorer.class)) {
            r = agent(server.baseUri()).restorer().restore("main", SnapshotSelector.latest(), db, false);
            // where a slow restore spent its time, in the order of its steps
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("INFO event=restore.completed ")
                    && l.matches(".* download_ms=\\d+ check_ms=\\d+ install_ms=\\d+$")), log.lines()::toString);
        }

        assertEquals(RestoreResult.Install.NEW_FILE, r.install());
        assertEquals(backup.version().orElseThrow(), r.version());
        assertFalse(Files.exists(Path.of(db + "-wal")));
        assertEquals(backedUpRows, TestDatabases.rows(db));
        assertNoTempFiles(data);
    }

    @Test
    void restoreIntoOpenDatabaseReplacesItsContentUnderTheOpenConnectionAndKeepsACopy() throws Exception {
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("DELETE FROM items WHERE id > 10");
            assertEquals(10, count(s));

            RestoreResult r = agent(server.baseUri()).restorer().restore("main", SnapshotSelector.latest(), db, false);

            assertEquals(RestoreResult.Install.REPLACED_CONTENT, r.install());
            assertEquals(backedUpRows.size(), count(s)); // the app's own connection sees the restored rows
            Path copy = r.preRestoreCopy().orElseThrow();
            assertEquals(10, TestDatabases.rows(copy).size());
        }
        assertEquals(backedUpRows, TestDatabases.rows(db));
        assertNoTempFiles(data);
    }

    @Test
    void forcedRestoreKeepsNoCopy() throws Exception {
        TestDatabases.addRows(db, 5, 99);

        RestoreResult r = agent(server.baseUri()).restorer().restore("main", SnapshotSelector.latest(), db, true);

        assertTrue(r.preRestoreCopy().isEmpty());
        try (Stream<Path> files = Files.list(data)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("pre-restore")));
        }
        assertEquals(backedUpRows, TestDatabases.rows(db));
    }

    @Test
    void restoreRefusesSnapshotAlteredInTransitAndLeavesTargetUntouched() throws Exception {
        TestDatabases.addRows(db, 5, 99);
        byte[] before = Files.readAllBytes(db);
        proxy.enqueue(Fault.flipBodyByte("GET", backup.storedBytes() / 2));

        assertThrows(RestoreVerificationException.class, () ->
                agent(proxy.uri()).restorer().restore("main", SnapshotSelector.latest(), db, false));

        assertArrayEquals(before, Files.readAllBytes(db));
        assertNoTempFiles(data);
        try (Stream<Path> files = Files.list(data)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("pre-restore")));
        }
    }

    @Test
    void restoreRefusesAnotherIntactSnapshotServedUnderThisVersionsHeaders() throws Exception {
        Path stored = storedFile(backup.version().orElseThrow());
        TestDatabases.addRows(db, 5, 99);
        SnapshotResult other = agent(server.baseUri()).snapshots().runOnce().results().get(0);
        // a valid zstd frame of a valid database: only the digest comparison can tell it is not the one asked for
        proxy.enqueue(Fault.replaceBody("GET", Files.readAllBytes(storedFile(other.version().orElseThrow()))));
        Path target = elsewhere.resolve("main.sqlite3");

        RestoreVerificationException e = assertThrows(RestoreVerificationException.class, () ->
                agent(proxy.uri()).restorer().restore("main", SnapshotSelector.version(backup.version().orElseThrow()),
                        target, false));

        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
        assertTrue(Files.exists(stored));
        assertFalse(Files.exists(target));
        assertNoTempFiles(elsewhere);
    }

    private static Path storedFile(String version) throws IOException {
        return Servers.storedFile(storage, version);
    }

    @Test
    void restoreRefusesSnapshotAlteredInStorageAndCreatesNoTarget() throws Exception {
        Servers.damage(storage, backup.version().orElseThrow());
        Path target = elsewhere.resolve("main.sqlite3");

        assertThrows(RestoreVerificationException.class, () ->
                agent(server.baseUri()).restorer().restore("main", SnapshotSelector.latest(), target, false));

        assertFalse(Files.exists(target));
        assertNoTempFiles(elsewhere);
    }

    @Test
    void restoreResumesWhereADroppedDownloadStopped() throws Exception {
        proxy.enqueue(Fault.cutBodyAfter("GET", backup.storedBytes() / 3), Fault.cutBodyAfter("GET", 20_000));
        Path target = elsewhere.resolve("main.sqlite3");

        RestoreResult r = agent(proxy.uri()).restorer().restore("main", SnapshotSelector.latest(), target, false);

        assertEquals(2, r.resumes());
        assertEquals(backup.storedBytes(), r.storedBytes());
        assertEquals(backedUpRows, TestDatabases.rows(target));
        List<String> gets = proxy.requests().stream().filter(q -> q.startsWith("GET /api/v1/tenants/" + tenant + "/"))
                .toList();
        assertTrue(gets.get(1).endsWith("/snapshots/" + r.version()), gets.toString()); // resumes pin the version
    }

    @Test
    void restoreOfADatabaseTheServerNeverSawFindsNothing() {
        assertThrows(NothingToRestoreException.class, () -> agent(server.baseUri()).restorer()
                .restore("other", SnapshotSelector.latest(), elsewhere.resolve("other.sqlite3"), false));
        assertFalse(Files.exists(elsewhere.resolve("other.sqlite3")));
    }

    @Test
    void restoreAtAnInstantTakesTheSnapshotThatWasLatestThen() throws Exception {
        Instant between = Instant.now();
        Thread.sleep(5); // versions have millisecond resolution: the next one must be strictly later
        TestDatabases.addRows(db, 100, 8);
        SnapshotResult second = agent(server.baseUri()).snapshots().runOnce().results().get(0);
        assertEquals(SnapshotResult.Outcome.UPLOADED, second.outcome());
        Path target = elsewhere.resolve("then.sqlite3");

        RestoreResult r = agent(server.baseUri()).restorer().restore("main", SnapshotSelector.latestAt(between),
                target, false);

        assertEquals(backup.version().orElseThrow(), r.version());
        assertEquals(backedUpRows, TestDatabases.rows(target));
    }

    @Test
    void bootRestoreBringsBackMissingDatabasesFoundThroughTheGlobAndLeavesPresentOnesAlone() throws Exception {
        Path cache = TestDatabases.create(data.resolve("cache.sqlite3"), 50, 3);
        Agent agent = agent(server.baseUri());
        agent.snapshots().runOnce();
        Files.delete(db);
        TestDatabases.addRows(cache, 1, 4);
        byte[] cacheBefore = Files.readAllBytes(cache);

        List<RestoreResult> done = new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                new BootRestore.Settings(agent.config().serverUrl(), false))
                .restoreMissing(agent::serverDatabases, RequestedRestores.NONE);

        assertEquals(List.of("main"), done.stream().map(RestoreResult::database).toList());
        assertEquals(backedUpRows, TestDatabases.rows(db));
        assertArrayEquals(cacheBefore, Files.readAllBytes(cache));
    }

    private static long count(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertNoTempFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList());
        }
    }
}
