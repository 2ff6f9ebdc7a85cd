package dev.cellar.agent.requests;

import static dev.cellar.agent.testing.LoggingWriter.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.agent.testing.LoggingWriter;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live rollback while the app commits as fast as it can ({@link LoggingWriter}), each committed id logged: every id committed
 * before the install is in the pre-restore snapshot, and the live database holds exactly the restored version plus
 * the ids committed after the install. The download is slowed down, so that the app commits plenty meanwhile.
 *
 * <p>The copy and the install are one transaction of the agent's connection; {@code InstallUnderWritesTest} drives
 * the same guarantee harder (many installs in a row).
 */
class RollbackUnderWritesTest {
    private static final Pattern PRE_RESTORE = Pattern.compile("pre-restore snapshot (\\S+)");

    @TempDir
    Path data;
    @TempDir
    Path elsewhere;

    @Test
    void everyCommittedRowIsInThePreRestoreSnapshotOrInTheRolledBackDatabase() throws Exception {
        try (TestServer server = Servers.start(); FaultProxy proxy = FaultProxy.start(server.baseUri())) {
            Admin admin = new Admin(server);
            Agent agent = AgentFixture.agent(AgentFixture.env(proxy.uri(), "rw1", server.mintToken("rw1"), data));
            Path db = data.resolve("main.sqlite3");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("CREATE TABLE w(id INTEGER PRIMARY KEY)");
                s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
                        + " INSERT INTO w SELECT i FROM n");
            }
            String v1 = agent.snapshots().runOnce().results().get(0).version().orElseThrow();

            List<Long> committed;
            String id;
            try (LoggingWriter writer = LoggingWriter.start(db)) {
                writer.awaitMore(20);
                proxy.enqueue(Fault.delay("GET", 700)); // the download: the app commits on meanwhile
                id = admin.requestRestore("rw1", "main", v1, "machine-1", false).get("id").asText();
                RestoreRequests requests = agent.restoreRequests().orElseThrow();
                new LiveRestore(requests, agent.databases(), agent.snapshotter(), agent.restorer(), agent.state())
                        .applyAll(requests.heartbeat());
                writer.awaitMore(20);
                committed = writer.committed();
            }

            JsonNode done = admin.restore("rw1", id);
            assertEquals("completed", done.get("state").asText(), done::toString);
            Matcher pre = PRE_RESTORE.matcher(done.get("message").asText());
            assertTrue(pre.find(), done::toString);
            Path preRestore = elsewhere.resolve("pre.sqlite3");
            agent.restorer().restore("main", SnapshotSelector.version(pre.group(1)), preRestore, false);

            Set<Long> before = ids(preRestore);
            Set<Long> live = ids(db);
            Set<Long> lost = new TreeSet<>(committed);
            lost.removeAll(before);
            lost.removeAll(live);
            assertEquals(Set.of(), lost, "committed ids in neither the pre-restore snapshot nor the database");
            Set<Long> expected = v1Rows();
            committed.stream().filter(i -> !before.contains(i)).forEach(expected::add);
            assertEquals(expected, live, "the database holds the restored version plus what came after");
            assertTrue(before.size() > 70, "the pre-restore snapshot holds the rows written meanwhile");
        }
    }

    private static Set<Long> v1Rows() {
        Set<Long> ids = new TreeSet<>();
        for (long i = 1; i <= 50; i++) {
            ids.add(i);
        }
        return ids;
    }
}
