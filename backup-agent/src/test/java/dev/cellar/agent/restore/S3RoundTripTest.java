package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other tests store snapshots as local files; this one goes through the server's S3 store (S3Proxy). */
class S3RoundTripTest {
    @TempDir
    Path data;

    @Test
    void snapshotAndRestoreRoundTripThroughAnS3BackedServer() throws Exception {
        try (TestServer server = TestServer.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "s3t", server.mintToken("s3t"), data));
            Path db = TestDatabases.create(data.resolve("main.sqlite3"), 2000, 5);

            SnapshotResult snapshot = agent.snapshots().runOnce().results().get(0);
            Path target = data.resolve("restored").resolve("main.sqlite3");
            RestoreResult restored = agent.restorer().restore("main", SnapshotSelector.latest(), target, false);

            assertEquals(SnapshotResult.Outcome.UPLOADED, snapshot.outcome());
            assertEquals(snapshot.version().orElseThrow(), restored.version());
            assertEquals(TestDatabases.rows(db), TestDatabases.rows(target));
        }
    }
}
