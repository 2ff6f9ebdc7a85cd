package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restored database has the mode the app's database would have, not the private mode of the agent's temp files:
 * the app may run as another user of the same group.
 */
class RestoredFileModeTest {
    @TempDir
    Path data;
    @TempDir
    Path storage;
    private TestServer server;
    private Agent agent;
    private Path db;

    @BeforeEach
    void backedUp() throws Exception {
        server = Servers.start(storage);
        agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "mode", server.mintToken("mode"), data));
        db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        agent.snapshots().runOnce();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBootRestoreOfAMissingDatabaseGivesItTheModeOfANewFileThereNotThePrivateModeOfATempFile() throws Exception {
        Files.delete(db);

        List<RestoreResult> done = new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                new BootRestore.Settings(server.baseUri(), false))
                .restoreMissing(agent::serverDatabases, RequestedRestores.NONE);

        assertEquals(1, done.size());
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(Files.createFile(data.resolve("probe")));
        expected.retainAll(PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(PosixFilePermissions.toString(expected), mode(db));
        assertNotEquals("rw-------", mode(db));
    }

    @Test
    void aRestoreOverAnExistingDatabaseKeepsItsMode() throws Exception {
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));
        TestDatabases.addRows(db, 5, 2);

        agent.restorer().restore("main", SnapshotSelector.latest(), db, false);

        assertEquals("rw-r-----", mode(db));
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
