package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.agent.Agent;
import dev.cellar.agent.cli.AgentCommand;
import dev.cellar.agent.cli.ExitCodes;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.requests.BootRequests;
import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.BrokenImages;
import dev.cellar.agent.testing.LogLines;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server holds V1 (good) and, newest, V2: an image that passed the upload's header and length check but whose
 * b-tree is broken. A boot must restore V1 rather than keep the app from starting; a pinned V2 never falls back.
 */
class DamagedNewestSnapshotTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;
    @TempDir
    Path storage;
    @TempDir
    Path work;
    private TestServer server;
    private Map<String, String> env;
    private Path db;
    private List<String> v1Rows;
    private String v1;
    private String v2;

    @BeforeEach
    void goodThenBroken() throws Exception {
        server = Servers.start(storage);
        env = new HashMap<>(AgentFixture.env(server.baseUri(), "dmg", server.mintToken("dmg"), data));
        env.put(AgentConfigLoader.ON_SHUTDOWN, "false");
        env.put(AgentConfigLoader.HEARTBEAT_INTERVAL, "100ms");
        Agent agent = AgentFixture.agent(env);
        db = TestDatabases.create(data.resolve("main.sqlite3"), 200, 1);
        v1Rows = TestDatabases.rows(db);
        v1 = agent.snapshots().runOnce().results().get(0).version().orElseThrow();
        Path broken = Files.copy(db, work.resolve("broken.sqlite3"));
        TestDatabases.addRows(broken, 50, 2);
        BrokenImages.breakBTree(broken);
        v2 = BrokenImages.upload(agent.client(), "main", broken);
        assertEquals(List.of(v2, v1), new Admin(server).versions("dmg", "main"));
        Files.delete(db);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBootSkipsTheBrokenNewestVersionLogsAndReportsItAndTheAppStartsOnTheNewestThatVerifies() throws Exception {
        Path started = data.resolve("app-started");
        Path stop = data.resolve("app-stop");
        String app = "touch " + started + "; while [ ! -e " + stop + " ]; do sleep 0.05; done";
        try (LogLines log = LogLines.of(NewestVerifying.class)) {
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> AgentCommand.commandLine(env,
                    new FileStoreDiskSpace()).execute("run", "--", "sh", "-c", app));
            try {
                waitFor("the app to start", () -> Files.exists(started) || run.isDone());
                assertTrue(Files.exists(started), "the app did not start: the boot failed");
                waitFor("a heartbeat that reports the skipped version",
                        () -> machineRecord().map(m -> m.get("skippedVersions").size() > 0).orElse(false));
            } finally {
                Files.createFile(stop);
            }
            assertEquals(0, run.get(WAIT.toSeconds(), TimeUnit.SECONDS));

            assertEquals(v1Rows, TestDatabases.rows(db));
            String skipped = log.lines().stream()
                    .filter(l -> l.contains("event=restore.version_skipped database=main version=" + v2))
                    .findFirst().orElseThrow(() -> new AssertionError(log.lines().toString()));
            assertTrue(skipped.startsWith("WARN "), skipped);
            assertTrue(skipped.contains("integrity_check"), skipped);
            JsonNode reported = machineRecord().orElseThrow().get("skippedVersions").get(0);
            assertEquals("main", reported.get("database").asText());
            assertEquals(v2, reported.get("version").asText());
            assertTrue(reported.get("reason").asText().contains("integrity_check"), reported::toString);
        }
    }

    @Test
    void aVersionADrillFoundDamagedIsSkippedWithoutADownload() throws Exception {
        new Admin(server).runDrills("dmg");
        Agent agent = AgentFixture.agent(env);

        try (LogLines log = LogLines.of(NewestVerifying.class)) {
            agent.restorer().restoreNewestVerifying("main", db);

            assertEquals(v1Rows, TestDatabases.rows(db));
            String skipped = log.lines().stream()
                    .filter(l -> l.contains("event=restore.version_skipped database=main version=" + v2))
                    .findFirst().orElseThrow(() -> new AssertionError(log.lines().toString()));
            // the drill's verdict, not the agent's own integrity check of a downloaded copy
            assertTrue(skipped.contains("a restore drill found it damaged"), skipped);
        }
    }

    @Test
    void aRequestPinningTheBrokenVersionFailsTheBootAndInstallsNothing() throws Exception {
        Admin admin = new Admin(server);
        String id = admin.requestRestore("dmg", "main", v2, null, true).get("id").asText();
        Path started = data.resolve("app-started");

        int status = AgentCommand.commandLine(env, new FileStoreDiskSpace()).execute("run", "--", "touch",
                started.toString());

        assertEquals(ExitCodes.FAILED, status);
        assertFalse(Files.exists(started));
        assertFalse(Files.exists(db));
        JsonNode request = admin.restore("dmg", id);
        assertEquals("failed", request.get("state").asText(), request::toString);
        assertTrue(request.get("message").asText().contains("integrity_check"), request::toString);
    }

    @Test
    void aPinnedRestoreOfTheBrokenVersionFailsAndNeverFallsBack() throws Exception {
        Agent agent = AgentFixture.agent(env);

        assertThrows(RestoreVerificationException.class,
                () -> agent.restorer().restore("main", SnapshotSelector.version(v2), db, false));

        assertFalse(Files.exists(db));
        assertEquals(List.of(), agent.restorer().skippedVersions().list());
    }

    @Test
    void aBootScriptsRestoreIfMissingFallsBackButARestoreOfThePinnedVersionFails() throws Exception {
        assertEquals(ExitCodes.FAILED, AgentCommand.commandLine(env, new FileStoreDiskSpace())
                .execute("restore", "--database", "main", "--version", v2, "--if-db-not-exists"));
        assertFalse(Files.exists(db));

        assertEquals(ExitCodes.OK, AgentCommand.commandLine(env, new FileStoreDiskSpace())
                .execute("restore", "--database", "main", "--if-db-not-exists"));
        assertEquals(v1Rows, TestDatabases.rows(db));
    }

    @Test
    void whenNoVersionVerifiesTheBootFailsRatherThanStartingTheAppOnAnEmptyDatabase() throws Exception {
        Agent agent = AgentFixture.agent(env);
        Servers.damage(storage, v1);

        RestoreVerificationException e = assertThrows(RestoreVerificationException.class, () ->
                new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                        new BootRestore.Settings(server.baseUri(), false))
                        .restoreMissing(agent::serverDatabases, BootRequests.fetch(
                                agent.restoreRequests().orElseThrow(), agent.restorer())));

        assertTrue(e.getMessage().contains(v1) && e.getMessage().contains(v2), e::getMessage);
        assertFalse(Files.exists(db));
        assertEquals(List.of(v2, v1), agent.restorer().skippedVersions().list().stream()
                .map(dev.cellar.agent.client.SkippedVersion::version).toList());
    }

    /** This machine's record as the server keeps it in the bucket. */
    private Optional<JsonNode> machineRecord() throws Exception {
        try (Stream<Path> files = Files.walk(storage)) {
            Optional<Path> record = files.filter(p -> p.endsWith(Path.of("machines", "machine-1.json"))).findFirst();
            return record.isEmpty() ? Optional.empty()
                    : Optional.of(new ObjectMapper().readTree(Files.readAllBytes(record.get())));
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    /** Waits up to a generous deadline: never a measure of speed. */
    private static void waitFor(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (!check.holds()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("still waiting after " + WAIT + " for " + what);
            }
            Thread.sleep(50);
        }
    }
}
