package dev.cellar.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {
    private static TestServer server;
    private static int tenantCounter;

    @TempDir
    Path data;
    private Map<String, String> env;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startServer() throws IOException {
        server = Servers.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void environment() {
        String tenant = "cli" + (++tenantCounter);
        env = new HashMap<>(AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data));
    }

    private int run(String... args) {
        CommandLine cli = AgentCommand.commandLine(env, new FileStoreDiskSpace());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpDocumentsTheExitCodes() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Exit codes:"), out.toString());
        assertTrue(out.toString().contains("the server holds no matching snapshot"), out.toString());
    }

    @Test
    void missingServerUrlIsAUsageErrorNamingTheVariable() {
        env.remove(AgentConfigLoader.SERVER_URL);

        assertEquals(ExitCodes.USAGE, run("snapshot"));
        assertTrue(err.toString().contains("BACKUP_SERVER_URL"), err.toString());
    }

    @Test
    void snapshotCommandUploadsThenReportsUnchanged() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);

        assertEquals(ExitCodes.OK, run("snapshot"));
        assertEquals(ExitCodes.OK, run("snapshot", "main"));

        String[] lines = out.toString().strip().split("\n");
        assertTrue(lines[0].contains("uploaded"), out.toString());
        assertTrue(lines[1].contains("unchanged"), out.toString());
    }

    @Test
    void snapshotOfAnUnknownDatabaseIsAUsageError() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 10, 1);

        assertEquals(ExitCodes.USAGE, run("snapshot", "nope"));
    }

    @Test
    void snapshotWithTheServerUnreachableExitsWithServerUnavailable() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 10, 1);
        env.put(AgentConfigLoader.SERVER_URL, deadServer().toString());

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, run("snapshot"));
    }

    @Test
    void restoreOfADatabaseWithoutSnapshotsExitsWithNothingToRestore() {
        assertEquals(ExitCodes.NOTHING_TO_RESTORE, run("restore", "main"));
        assertFalse(Files.exists(data.resolve("main.sqlite3")));
    }

    @Test
    void restoreCommandRestoresAVersionElsewhereAndListShowsIt() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("snapshot"));
        assertEquals(ExitCodes.OK, run("list", "main"));
        String version = out.toString().lines().filter(l -> l.matches("^\\d{8}T.*")).findFirst().orElseThrow()
                .split("\\s+")[0];
        Path target = data.resolve("copy").resolve("main-copy.db");

        assertEquals(ExitCodes.OK, run("restore", "main", "--version", version, "--to", target.toString()));

        assertEquals(TestDatabases.rows(db), TestDatabases.rows(target));
    }

    @Test
    void restoreRejectsAMalformedVersion() {
        assertEquals(ExitCodes.USAGE, run("restore", "main", "--version", "yesterday"));
    }

    @Test
    void runRestoresTheMissingDatabaseBeforeTheAppStartsAndSnapshotsWhatTheAppWroteAtExit() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("snapshot"));
        Files.delete(db);
        env.put(AgentConfigLoader.SCHEDULE, "0 0 0 1 1 ? 2099"); // only the shutdown snapshot in this test

        // the "app" exits 7 only if it finds the database restored, after adding one row to it
        int status = run("run", "--", "sh", "-c", "test -f '" + db + "' && sqlite3 '" + db
                + "' \"INSERT INTO items (name) VALUES ('written-by-app')\" && exit 7");

        assertEquals(7, status);
        Path check = data.resolve("check").resolve("main.sqlite3");
        assertEquals(ExitCodes.OK, run("restore", "main", "--to", check.toString()));
        assertTrue(TestDatabases.rows(check).stream().anyMatch(r -> r.contains("written-by-app")));
    }

    @Test
    void runDoesNotStartTheAppWhenADatabaseIsMissingAndTheServerCannotBeReached() throws Exception {
        env.put(AgentConfigLoader.SERVER_URL, deadServer().toString());
        env.put(AgentConfigLoader.DATABASES, "main=" + data.resolve("main.sqlite3"));
        Path marker = data.resolve("app-started");

        int status = run("run", "--", "touch", marker.toString());

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, status);
        assertFalse(Files.exists(marker));
    }

    @Test
    void runStartsTheAppOnAFreshDatabaseWhenTheServerHasNoSnapshot() throws Exception {
        env.put(AgentConfigLoader.DATABASES, "main=" + data.resolve("main.sqlite3"));
        env.put(AgentConfigLoader.ON_SHUTDOWN, "false");
        Path marker = data.resolve("app-started");

        assertEquals(0, run("run", "--", "touch", marker.toString()));
        assertTrue(Files.exists(marker));
    }

    private static URI deadServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }
}
