package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The overlapped restore (download | decompress | write and hash) still refuses damaged snapshots whole. */
class RestorePipelineTest {
    private static Path storage;
    private static TestServer server;
    private static int tenantCounter;
    @TempDir
    Path data;
    @TempDir
    Path elsewhere;

    @BeforeAll
    static void startServer() throws Exception {
        storage = Files.createTempDirectory("cellar-pipeline-storage");
        server = Servers.start(storage);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Bit rot at a tenth, the middle and in the frame's checksum at the very end of the stored object. */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 1.0})
    void bitRotAnywhereInTheStoredObjectIsDetectedAndNothingIsInstalled(double where) throws Exception {
        String tenant = "pipe" + (++tenantCounter);
        Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data));
        TestDatabases.create(data.resolve("main.sqlite3"), 20_000, 3);
        SnapshotResult backup = agent.snapshots().runOnce().results().get(0);
        Path stored = Servers.storedFile(storage, backup.version().orElseThrow());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[(int) Math.min(bytes.length - 2, bytes.length * where)] ^= 0x10;
        Files.write(stored, bytes);
        Path missing = elsewhere.resolve("main.sqlite3");
        Path present = TestDatabases.create(elsewhere.resolve("other.sqlite3"), 10, 9);
        byte[] before = Files.readAllBytes(present);

        assertThrows(RestoreVerificationException.class, () ->
                agent.restorer().restore("main", SnapshotSelector.latest(), missing, false));
        assertThrows(RestoreVerificationException.class, () ->
                agent.restorer().restore("main", SnapshotSelector.latest(), present, true));

        assertEquals(List.of("other.sqlite3"), names(elsewhere), "no target, no temp file");
        assertArrayEquals(before, Files.readAllBytes(present), "the present database is untouched");
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
