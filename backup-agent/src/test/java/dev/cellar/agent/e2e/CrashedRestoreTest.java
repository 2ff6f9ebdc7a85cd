package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A clone applying a pinned restore request dies ({@code kill -9}) part-way and starts again: it resumes the
 * request it holds and installs the pinned version, never the latest; and a clone whose missing database has a
 * request another machine holds restores nothing and does not start its app.
 */
class CrashedRestoreTest extends EndToEnd {
    /** A tenant whose app wrote 5 rows (backed up as the returned version), then 12 (the latest version). */
    private String twoVersions(String tenant) throws Exception {
        Machine a = machine("mA", tenant);
        Running running = runWithFiveRowsBackedUpThenTwelve(a, tenant);
        assertEquals(0, a.cli("backup").status());
        assertEquals(2, admin.versions(tenant, "app").size());
        running.agent().terminate();
        assertEquals(0, running.agent().waitFor(), running.agent()::log);
        return running.fiveRows();
    }

    /**
     * {@code bytes} = 0: killed after the claim, its download answered with nothing (not even all headers);
     * above 0: killed mid-download, with part of the image decompressed into its temp file, which the next start
     * removes although the database beside it is missing.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 120})
    void aCloneKilledDuringAPinnedRestoreResumesItAfterRestartAndInstallsThePinnedVersion(int bytes)
            throws Exception {
        String tenant = "crash" + bytes;
        String v1 = twoVersions(tenant);
        String id = admin.requestRestore(tenant, "app", v1, null, true).get("id").asText();
        try (FaultProxy proxy = FaultProxy.start(server.baseUri())) {
            proxy.always(Fault.stallBodyAfter("GET", bytes));
            Machine b = machine("mB", tenant, proxy.uri());
            AgentProcess first = children.track(b.start("5", 0, 0));
            Poll.until("the download to stall", () -> proxy.stalls() > 0 || !first.isAlive(), first::log);
            if (bytes > 0) {
                Poll.until("the partial image", () -> tempFiles(b) == 1 || !first.isAlive(), first::log);
            }
            first.kill(); // kill -9
            first.waitFor();
            JsonNode held = admin.restore(tenant, id);
            assertEquals("running", held.get("state").asText(), held::toString);
            assertEquals("mB", held.get("claimedBy").asText(), held::toString);
            assertFalse(Files.exists(b.db()), "nothing may be installed before the download completed");

            proxy.heal();
            AgentProcess second = children.track(b.start("5", 0, 0));
            Poll.until("B's app to start", () -> b.startedWith().isPresent() || !second.isAlive(), second::log);
            assertEquals(Optional.of(5L), b.startedWith(), second::log); // v1, not the latest (12 rows)
            assertEquals(0, tempFiles(b), second::log); // removed at start, though its database was missing
            JsonNode done = admin.restore(tenant, id);
            assertEquals("completed", done.get("state").asText(), done::toString);
            assertEquals("mB", done.get("claimedBy").asText(), done::toString);
            assertTrue(done.get("message").asText().contains(v1), done::toString);
            second.terminate();
            assertEquals(0, second.waitFor(), second::log);
        }
    }

    /** The agent's temp files on {@code m}'s volume ({@code .cellar-<pid>-<start>-...tmp}). */
    private static long tempFiles(Machine m) throws IOException {
        try (Stream<Path> files = Files.list(m.db().getParent())) {
            return files.filter(p -> p.getFileName().toString().matches("\\.cellar-.*\\.tmp")).count();
        }
    }

    @Test
    void aCloneKilledAfterTheInstallBeforeItsReportReportsAfterRestartWithoutRestoringAgain() throws Exception {
        String v1 = twoVersions("report1");
        String id = admin.requestRestore("report1", "app", v1, null, true).get("id").asText();
        try (FaultProxy proxy = FaultProxy.start(server.baseUri())) {
            proxy.always(Fault.hang("POST").onPath("/result"));
            Machine b = machine("mB", "report1", proxy.uri());
            AgentProcess first = children.track(b.start("5", 0, 0));
            Poll.until("the report to stall", () -> proxy.stalls() > 0 || !first.isAlive(), first::log);
            first.kill(); // kill -9: the database is in place, the server has not heard of it
            first.waitFor();
            assertTrue(Files.exists(b.db()), first::log);
            assertEquals("running", admin.restore("report1", id).get("state").asText());

            proxy.heal();
            AgentProcess second = children.track(b.start("5", 0, 0));
            Poll.until("B's app to start", () -> b.startedWith().isPresent() || !second.isAlive(), second::log);
            assertEquals(Optional.of(5L), b.startedWith(), second::log);
            JsonNode done = admin.restore("report1", id);
            assertEquals("completed", done.get("state").asText(), done::toString);
            assertTrue(done.get("message").asText().contains(v1), done::toString);
            assertFalse(second.log().contains("event=restore.completed"), second::log); // reported, not redone
            second.terminate();
            assertEquals(0, second.waitFor(), second::log);
        }
    }

    @Test
    void aMissingDatabaseWhoseRequestAnotherMachineHoldsIsNotRestoredAndTheAppDoesNotStart() throws Exception {
        String v1 = twoVersions("held1");
        String id = admin.requestRestore("held1", "app", v1, null, true).get("id").asText();
        admin.claim("held1", id, "mX"); // another clone is applying it (its lease holds for minutes)

        Machine b = machine("mB", "held1");
        AgentProcess agent = children.track(b.start("5", 0, 0));
        assertEquals(1, agent.waitFor(), agent::log);
        assertFalse(Files.exists(b.db()), agent::log); // not the latest either
        assertTrue(b.startedWith().isEmpty(), agent::log);
        assertTrue(agent.log().contains("restore request " + id + " for it is being applied by another machine"),
                agent::log);
        assertEquals("running", admin.restore("held1", id).get("state").asText());
    }
}
