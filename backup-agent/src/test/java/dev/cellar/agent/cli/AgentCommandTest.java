package dev.cellar.agent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.LogLines;
import dev.cellar.agent.testing.Servers;
import dev.cellar.core.config.UnknownVariables;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
    void everyCommandHasHelpWithTheExitCodes() {
        for (String command : new String[] {"run", "backup", "snapshots", "restore", "config", "verify", "completion"}) {
            out.getBuffer().setLength(0);

            assertEquals(0, run(command, "--help"), command);

            assertTrue(out.toString().startsWith("Usage: cellar-agent " + command), out.toString());
            assertTrue(out.toString().contains("Exit codes:"), out.toString());
        }
        assertTrue(out.toString().contains("the server holds no matching snapshot"), out.toString());
    }

    @Test
    void configShowsTheHeartbeatAndWhetherAnEmptyStartIsAllowed() {
        env.put(AgentConfigLoader.HEARTBEAT_INTERVAL, "15s");
        assertEquals(0, run("config"));
        assertTrue(out.toString().contains("heartbeat       every PT15S"), out.toString());
        assertTrue(out.toString().contains("empty start     refused"), out.toString());

        out.getBuffer().setLength(0);
        env.remove(AgentConfigLoader.MACHINE_ID);
        env.put(AgentConfigLoader.ALLOW_EMPTY_START, "true");
        assertEquals(0, run("config"));
        assertTrue(out.toString().contains("heartbeat       off"), out.toString());
        assertTrue(out.toString().contains("empty start     allowed"), out.toString());
    }

    @Test
    void theCommandsHaveTheirDocumentedNamesOnly() {
        assertEquals(ExitCodes.USAGE, run("snapshot"));
        assertEquals(ExitCodes.USAGE, run("list", "main"));
        assertEquals(ExitCodes.USAGE, run("restore", "main"));
        assertEquals(ExitCodes.USAGE, run("restore", "--database", "main", "--to", "/tmp/x.sqlite3"));
    }

    @Test
    void snapshotsWithoutADatabaseListsEveryConfiguredDatabase() throws Exception {
        TestDatabases.create(data.resolve("production.sqlite3"), 20, 1);
        TestDatabases.create(data.resolve("production_cache.sqlite3"), 20, 2);
        assertEquals(ExitCodes.OK, run("backup"));
        TestDatabases.create(data.resolve("production_queue.sqlite3"), 20, 3); // present, never backed up
        out.getBuffer().setLength(0);

        assertEquals(ExitCodes.OK, run("snapshots"));

        List<String> databases = out.toString().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(List.of("production", "production_cache"), databases);
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("snapshots", "--database", "production_cache"));
        assertEquals(2, out.toString().lines().count(), out.toString());
    }

    @Test
    void restoreIfDbNotExistsLeavesAnExistingTargetAloneAndSaysSo() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("backup"));
        TestDatabases.addRows(db, 5, 2);
        byte[] before = Files.readAllBytes(db);

        assertEquals(ExitCodes.OK, run("restore", "--database", "main", "--if-db-not-exists"));

        assertArrayEquals(before, Files.readAllBytes(db));
        assertTrue(out.toString().contains("not restored: " + db + " exists"), out.toString());
        try (Stream<Path> files = Files.list(data)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("pre-restore")));
        }
    }

    @Test
    void restoreIfDbNotExistsOnABrandNewTenantDoesNothingAndSaysSo() {
        assertEquals(ExitCodes.OK, run("restore", "--database", "main", "--if-db-not-exists"));

        assertFalse(Files.exists(data.resolve("main.sqlite3")));
        assertTrue(out.toString().contains("the server holds no backup of main yet"), out.toString());
    }

    @Test
    void restoreIfDbNotExistsRestoresAMissingTargetThatHasABackup() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("backup"));
        List<String> rows = TestDatabases.rows(db);
        Files.delete(db);

        assertEquals(ExitCodes.OK, run("restore", "--database", "main", "--if-db-not-exists"));

        assertEquals(rows, TestDatabases.rows(db));
        assertTrue(out.toString().contains("restored main version "), out.toString());
    }

    @Test
    void aMisspeltVariableIsWarnedAboutWithTheNameItResemblesAndEveryBadValueIsNamed() {
        env.put("BACKUP_SHEDULE", "0 0 * * * ?");
        env.put(AgentConfigLoader.SHUTDOWN_TIMEOUT, "PT30S"); // the server's form works here too
        try (LogLines log = LogLines.of(UnknownVariables.class)) {
            assertEquals(0, run("config"));

            assertEquals(List.of("WARN event=config.unknown_variable name=BACKUP_SHEDULE"
                    + " hint=\"unknown variable, did you mean BACKUP_SCHEDULE?\""), log.lines());
        }

        env.put(AgentConfigLoader.SHUTDOWN_TIMEOUT, "soon");
        env.put(AgentConfigLoader.ZSTD_LEVEL, "22");
        assertEquals(ExitCodes.USAGE, run("backup"));
        assertTrue(err.toString().contains("invalid configuration:\n  - BACKUP_SHUTDOWN_TIMEOUT must be a duration such"
                + " as 500ms, 30s, 90m, 48h, 2d, PT48H or a number of seconds, got 'soon'\n"
                + "  - BACKUP_ZSTD_LEVEL must be between 1 and 19, got 22"), err.toString());
    }

    @Test
    void missingServerUrlIsAUsageErrorNamingTheVariable() {
        env.remove(AgentConfigLoader.SERVER_URL);

        assertEquals(ExitCodes.USAGE, run("backup"));
        assertTrue(err.toString().contains("BACKUP_SERVER_URL"), err.toString());
    }

    @Test
    void backupCommandUploadsThenReportsUnchanged() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);

        assertEquals(ExitCodes.OK, run("backup"));
        assertEquals(ExitCodes.OK, run("backup", "--database", "main"));

        String[] lines = out.toString().strip().split("\n");
        assertTrue(lines[0].contains("uploaded"), out.toString());
        assertTrue(lines[1].contains("unchanged"), out.toString());
    }

    @Test
    void backupOfAnUnknownDatabaseIsAUsageError() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 10, 1);

        assertEquals(ExitCodes.USAGE, run("backup", "--database", "nope"));
    }

    @Test
    void backupWithTheServerUnreachableExitsWithServerUnavailable() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 10, 1);
        env.put(AgentConfigLoader.SERVER_URL, deadServer().toString());

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, run("backup"));
    }

    @Test
    void restoreOfADatabaseWithoutSnapshotsExitsWithNothingToRestore() {
        assertEquals(ExitCodes.NOTHING_TO_RESTORE, run("restore", "--database", "main"));
        assertFalse(Files.exists(data.resolve("main.sqlite3")));
    }

    @Test
    void restoreCommandRestoresAVersionElsewhereAndSnapshotsShowsIt() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("backup"));
        assertEquals(ExitCodes.OK, run("snapshots", "--database", "main"));
        String version = out.toString().lines().filter(l -> l.matches("^main\\s+\\d{8}T.*")).findFirst().orElseThrow()
                .split("\\s+")[1];
        Path target = data.resolve("copy").resolve("main-copy.db");

        assertEquals(ExitCodes.OK, run("restore", "--database", "main", "--version", version, "--output", target.toString()));

        assertEquals(TestDatabases.rows(db), TestDatabases.rows(target));
    }

    @Test
    void restoreRejectsAMalformedVersion() {
        assertEquals(ExitCodes.USAGE, run("restore", "--database", "main", "--version", "yesterday"));
    }

    @Test
    void runRestoresTheMissingDatabaseBeforeTheAppStartsAndSnapshotsWhatTheAppWroteAtExit() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 100, 1);
        assertEquals(ExitCodes.OK, run("backup"));
        Files.delete(db);
        env.put(AgentConfigLoader.SCHEDULE, "0 0 0 1 1 ? 2099"); // only the shutdown snapshot in this test

        // the "app" exits 7 only if it finds the database restored, after adding one row to it
        int status = run("run", "--", "sh", "-c", "test -f '" + db + "' && sqlite3 '" + db
                + "' \"INSERT INTO items (name) VALUES ('written-by-app')\" && exit 7");

        assertEquals(7, status);
        Path check = data.resolve("check").resolve("main.sqlite3");
        assertEquals(ExitCodes.OK, run("restore", "--database", "main", "--output", check.toString()));
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
