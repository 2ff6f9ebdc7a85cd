package dev.cellar.agent.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cellar.agent.Agent;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSchedulerTest {
    @TempDir
    Path data;

    @Test
    void theCronScheduleFiresSnapshots() throws Exception {
        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t1", server.mintToken("t1"), data));
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);

            try (SnapshotScheduler ignored = SnapshotScheduler.start("* * * * * ?", agent.snapshots())) {
                // wait for the first scheduled upload; the surefire timeout bounds a schedule that never fires
                while (agent.client().list("main", 1, Optional.empty()).snapshots().isEmpty()) {
                    Thread.sleep(100);
                }
            }
            assertFalse(agent.client().list("main", 1, Optional.empty()).snapshots().isEmpty());
        }
    }
}
