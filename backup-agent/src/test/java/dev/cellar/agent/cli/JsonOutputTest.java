package dev.cellar.agent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --json}: stdout holds exactly one JSON document, which these tests parse; {@code verify} installs nothing. */
class JsonOutputTest {
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static Path storage;
    private static TestServer server;
    private static int tenants;

    @TempDir
    Path data;
    private Map<String, String> env;
    private Path db;
    private StringWriter out;

    @BeforeAll
    static void startServer() throws IOException {
        storage = Files.createTempDirectory("cellar-json-storage");
        server = Servers.start(storage);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void backedUpDatabase() throws Exception {
        String tenant = "json" + (++tenants);
        env = new HashMap<>(AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data));
        db = TestDatabases.create(data.resolve("main.sqlite3"), 200, 3);
    }

    /** Runs the command and parses its whole stdout as one JSON document. */
    private JsonNode json(int expectedStatus, String... args) throws IOException {
        out = new StringWriter();
        CommandLine cli = AgentCommand.commandLine(env, new FileStoreDiskSpace());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(expectedStatus, cli.execute(args), () -> String.join(" ", args) + "\n" + out);
        return STRICT.readTree(out.toString());
    }

    @Test
    void backupSnapshotsRestoreAndConfigEachPrintOneDocument() throws Exception {
        JsonNode backup = json(0, "backup", "--json");
        assertTrue(backup.get("ok").asBoolean(), backup::toString);
        JsonNode first = backup.get("results").get(0);
        assertEquals("main", first.get("database").asText());
        assertEquals("uploaded", first.get("outcome").asText());
        String version = first.get("version").asText();
        assertEquals(Files.size(db), first.get("sizeBytes").asLong());
        assertEquals("unchanged", json(0, "backup", "--json").get("results").get(0).get("outcome").asText());

        JsonNode list = json(0, "snapshots", "--json");
        JsonNode main = list.get("databases").get(0);
        assertEquals("main", main.get("database").asText());
        assertEquals(version, main.get("snapshots").get(0).get("version").asText());
        assertEquals(first.get("sha256").asText(), main.get("snapshots").get(0).get("sha256").asText());

        Path elsewhere = data.resolve("copy").resolve("main.sqlite3");
        JsonNode restore = json(0, "restore", "--database", "main", "--output", elsewhere.toString(), "--json");
        assertTrue(restore.get("restored").asBoolean());
        assertEquals(version, restore.get("version").asText());
        assertEquals("new_file", restore.get("install").asText());
        assertEquals(TestDatabases.rows(db), TestDatabases.rows(elsewhere));
        JsonNode skipped = json(0, "restore", "--database", "main", "--if-db-not-exists", "--json");
        assertFalse(skipped.get("restored").asBoolean());
        assertEquals("target_exists", skipped.get("reason").asText());

        JsonNode config = json(0, "config", "--json");
        assertEquals(env.get("BACKUP_TENANT"), config.get("tenant").asText());
        assertEquals("main", config.get("found").get(0).get("database").asText());
        assertFalse(out.toString().contains(env.get("BACKUP_TOKEN")), "the token is never printed");
    }

    @Test
    void aFailingCommandPrintsAnErrorDocumentWithItsExitCode() throws Exception {
        JsonNode missing = json(3, "restore", "--database", "never", "--output", data.resolve("x").toString(),
                "--json");
        assertEquals("nothing_to_restore", missing.get("error").asText());
        assertEquals(3, missing.get("exitCode").asInt());
        assertTrue(missing.get("message").asText().contains("never"), missing::toString);
    }

    @Test
    void verifyChecksTheSnapshotWithoutTouchingTheDatabaseAndLeavesNoFile() throws Exception {
        String version = json(0, "backup", "--json").get("results").get(0).get("version").asText();
        TestDatabases.addRows(db, 5, 9); // the live database moves on; verify must not bring the snapshot back
        byte[] live = Files.readAllBytes(db);

        JsonNode ok = json(0, "verify", "--database", "main", "--json");
        assertTrue(ok.get("verified").asBoolean(), ok::toString);
        assertEquals(version, ok.get("version").asText());
        assertArrayEquals(live, Files.readAllBytes(db));
        assertEquals(Map.of(), leftovers());

        Servers.damage(storage, version);
        JsonNode bad = json(1, "verify", "--database", "main", "--version", version, "--json");
        assertEquals("failed", bad.get("error").asText(), bad::toString);
        assertArrayEquals(live, Files.readAllBytes(db));
        assertEquals(Map.of(), leftovers());
    }

    /** Files in the data folder other than the database and the agent's state. */
    private Map<String, Long> leftovers() throws IOException {
        Map<String, Long> extra = new HashMap<>();
        try (Stream<Path> files = Files.walk(data)) {
            files.filter(Files::isRegularFile).filter(p -> !p.equals(db) && !p.toString().contains(".cellar/"))
                    .forEach(p -> extra.put(p.toString(), p.toFile().length()));
        }
        return extra;
    }
}
