package dev.cellar.agent.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live rollback while the app commits a row every few milliseconds, each committed id logged: every id committed
 * before the install is in the pre-restore snapshot, and the live database holds exactly the restored version plus
 * the ids committed after the install. The download is slowed down, so that the app commits plenty meanwhile.
 *
 * <p>The copy and the install are one transaction of the agent's connection; {@code InstallUnderWritesTest} drives
 * the same guarantee harder (a writer retrying every millisecond, many installs).
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

            List<Long> committed = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> write(db, committed, stop), "app-writer");
            writer.start();
            try {
                waitFor(() -> committed.size() >= 20);
                proxy.enqueue(Fault.delay("GET", 700)); // the download: the app commits on meanwhile
                String id = admin.requestRestore("rw1", "main", v1, "machine-1", false).get("id").asText();
                RestoreRequests requests = agent.restoreRequests().orElseThrow();
                new LiveRestore(requests, agent.databases(), agent.snapshotter(), agent.restorer(), agent.state())
                        .applyAll(requests.heartbeat());
                int atInstall = committed.size();
                waitFor(() -> committed.size() >= atInstall + 20);
                stop.set(true);
                writer.join();

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
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }

    private static Set<Long> v1Rows() {
        Set<Long> ids = new TreeSet<>();
        for (long i = 1; i <= 50; i++) {
            ids.add(i);
        }
        return ids;
    }

    /** The app: one row per transaction, each id logged once its commit has returned. */
    private static void write(Path db, List<Long> committed, AtomicBoolean stop) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=600000");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO w(id) VALUES (?)")) {
                for (long id = 1000; !stop.get(); id++) {
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    committed.add(id);
                    Thread.sleep(3);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("the app's writer failed", e);
        }
    }

    private static Set<Long> ids(Path db) throws Exception {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet r = c.createStatement().executeQuery("SELECT id FROM w")) {
            while (r.next()) {
                ids.add(r.getLong(1));
            }
        }
        return ids;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 1200 && !condition.getAsBoolean(); i++) { // up to a minute: a bound, not a measure
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), "the writer stopped committing");
    }
}
