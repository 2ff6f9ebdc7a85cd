package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.CanonicalDump;
import dev.cellar.agent.testing.Servers;
import dev.cellar.core.SqliteChecks;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back up a database that uses much of what SQLite stores (tables with and without rowids, an AUTOINCREMENT
 * counter, indexes of several kinds, a view, a trigger, small and overflowing blobs, NULLs, reals, header values),
 * restore it into a fresh directory, and compare canonical dumps.
 */
class RoundTripTest {
    @TempDir
    Path data;
    @TempDir
    Path fresh;

    @Test
    void aRestoredDatabaseHasTheSameSchemaAndRowsAsTheOriginal() throws Exception {
        Path original = data.resolve("production.sqlite3");
        build(original);
        List<String> before = CanonicalDump.of(original);

        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "roundtrip",
                    server.mintToken("roundtrip"), data));
            SnapshotResult backup = agent.snapshots().runOnce().results().get(0);
            assertEquals(SnapshotResult.Outcome.UPLOADED, backup.outcome());

            Path restored = fresh.resolve("restored").resolve("production.sqlite3");
            RestoreResult r = agent.restorer().restore("production", SnapshotSelector.latest(), restored, false);

            assertEquals(backup.version().orElseThrow(), r.version());
            assertEquals(List.of(), SqliteChecks.integrityCheck(restored));
            List<String> after = CanonicalDump.of(restored);
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++) {
                assertEquals(before.get(i), after.get(i), "line " + i + " of the dump");
            }
            assertEquals(before, after);
        }
        assertTrue(before.stream().anyMatch(l -> l.startsWith("trigger ")), "the dump covers the trigger");
        assertTrue(before.stream().anyMatch(l -> l.startsWith("view ")), "the dump covers the view");
        assertTrue(before.stream().anyMatch(l -> l.contains("blob:")), "the dump covers blobs");
    }

    private static void build(Path file) throws Exception {
        Random random = new Random(42);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA user_version = 7");
            s.execute("PRAGMA application_id = 1129072972");
            s.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE,"
                    + " created_at TEXT DEFAULT CURRENT_TIMESTAMP)");
            s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " customer_id INTEGER NOT NULL REFERENCES customers(id), total REAL, status TEXT, note TEXT)");
            s.execute("CREATE TABLE attachments (order_id INTEGER REFERENCES orders(id), name TEXT, data BLOB)");
            s.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID");
            s.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, order_id INTEGER, event TEXT)");
            s.execute("CREATE INDEX orders_by_customer ON orders(customer_id, total DESC)");
            s.execute("CREATE INDEX open_orders ON orders(status) WHERE status <> 'done'");
            s.execute("CREATE INDEX customers_by_lower_name ON customers(lower(name))");
            s.execute("CREATE VIEW customer_totals AS SELECT c.id, c.name, count(o.id) AS orders, sum(o.total) AS total"
                    + " FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id");
            s.execute("CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN"
                    + " INSERT INTO audit (order_id, event) VALUES (NEW.id, 'created ' || NEW.status); END");
            c.setAutoCommit(false);
            try (PreparedStatement customer = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)");
                 PreparedStatement order = c.prepareStatement(
                         "INSERT INTO orders (customer_id, total, status, note) VALUES (?, ?, ?, ?)");
                 PreparedStatement attachment = c.prepareStatement(
                         "INSERT INTO attachments (order_id, name, data) VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 300; i++) {
                    customer.setString(1, "Customer " + i + (i % 7 == 0 ? " Ünïcødé ✓" : ""));
                    customer.setString(2, i % 11 == 0 ? null : "c" + i + "@example.com");
                    customer.executeUpdate();
                }
                for (int i = 1; i <= 2000; i++) {
                    order.setInt(1, 1 + random.nextInt(300));
                    order.setDouble(2, Math.round(random.nextDouble() * 100_000) / 100.0);
                    order.setString(3, List.of("new", "paid", "done").get(random.nextInt(3)));
                    if (i % 5 == 0) {
                        order.setNull(4, java.sql.Types.VARCHAR);
                    } else {
                        order.setString(4, "note " + "x".repeat(random.nextInt(200)));
                    }
                    order.executeUpdate();
                }
                for (int i = 1; i <= 120; i++) {
                    // most fit in a page, some overflow into several, one is empty
                    byte[] blob = new byte[i == 1 ? 0 : i % 10 == 0 ? 20_000 + random.nextInt(100_000)
                            : random.nextInt(3000)];
                    random.nextBytes(blob);
                    attachment.setInt(1, i);
                    attachment.setString(2, "file-" + i + ".bin");
                    attachment.setBytes(3, blob);
                    attachment.executeUpdate();
                }
            }
            s.execute("INSERT INTO settings VALUES ('zeta', 1), ('alpha', 2.5), ('beta', x'00ff10'),"
                    + " ('gamma', NULL), ('delta', 'text')");
            // deleted rows leave free pages and rowid gaps that the copy must not resurrect or renumber
            s.execute("DELETE FROM orders WHERE id % 13 = 0");
            s.execute("DELETE FROM attachments WHERE rowid % 9 = 0");
            s.execute("UPDATE customers SET name = name || ' (vip)' WHERE id % 17 = 0");
            c.commit();
        }
    }
}
