package dev.cellar.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.agent.Agent;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmptyDatabaseCheckTest {
    private static TestServer server;
    private static int tenants;

    @TempDir
    Path data;

    @BeforeAll
    static void start() throws Exception {
        server = Servers.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aDatabaseWithOnlyRailsBookkeepingIsReportedWhenTheServerHoldsABackupAndNotOtherwise() throws Exception {
        Agent agent = agentWithBackupOf("main");
        // what db:prepare leaves on a new volume: the schema, a migration row, no data
        Files.delete(data.resolve("main.sqlite3"));
        prepared(data.resolve("main.sqlite3"));
        prepared(data.resolve("never_backed_up.sqlite3"));

        List<EmptyDatabaseCheck.Finding> found = check(agent).run(Set.of());

        assertEquals(List.of("main"), found.stream().map(f -> f.database().name()).toList());
        assertEquals(agent.client().list("main", 1, java.util.Optional.empty()).snapshots().get(0).version(),
                found.get(0).latest().version());
        // restored at this boot: whatever it holds is the backup
        assertEquals(List.of(), check(agent).run(Set.of("main")));
    }

    @Test
    void aDatabaseHoldingDataIsNotReported() throws Exception {
        Agent agent = agentWithBackupOf("main");
        Path seeded = data.resolve("main.sqlite3");
        Files.delete(seeded);
        prepared(seeded);
        TestDatabases.create(seeded, 1, 2); // one seeded row is data

        assertEquals(List.of(), check(agent).run(Set.of()));
    }

    @Test
    void aServerThatCannotBeReachedSkipsTheCheckWithoutFailingTheBoot() throws Exception {
        Path db = prepared(data.resolve("main.sqlite3"));
        Agent agent = AgentFixture.agent(AgentFixture.env(java.net.URI.create("http://127.0.0.1:9"), "t", "x", data));

        assertEquals(List.of(), check(agent).run(Set.of()));
        assertEquals(true, Files.exists(db));
    }

    private Agent agentWithBackupOf(String name) throws Exception {
        String tenant = "empty" + (++tenants);
        TestDatabases.create(data.resolve(name + ".sqlite3"), 10, 1);
        Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data));
        assertEquals(true, agent.snapshots().runOnce().ok());
        return agent;
    }

    private static EmptyDatabaseCheck check(Agent agent) {
        return new EmptyDatabaseCheck(agent.databases(), agent.client());
    }

    private static Path prepared(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)");
            s.execute("CREATE TABLE ar_internal_metadata (key TEXT PRIMARY KEY, value TEXT)");
            s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
            s.execute("INSERT INTO schema_migrations VALUES ('20261101000000')");
            s.execute("INSERT INTO ar_internal_metadata VALUES ('environment', 'production')");
        }
        return db;
    }
}
