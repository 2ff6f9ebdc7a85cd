package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Restore into a freshly cloned machine, with the agent and the app as real processes: machine B has the same
 * configuration as machine A and an empty volume, and its app must find A's data at its very first statement.
 */
class CloneRestoreTest extends EndToEnd {
    @Test
    void aClonedMachineRestoresTheLatestBackupBeforeItsAppStarts() throws Exception {
        Machine a = machine("mA", "clone1");
        AgentProcess agentA = children.track(a.start("0", 25, 7));
        Poll.until("A's app to write its rows", () -> a.seen().contains("25"), agentA::log);
        agentA.terminate();
        assertEquals(7, agentA.waitFor(), agentA::log); // the agent exits with its app's status
        assertEquals(1, admin.versions("clone1", "app").size(), agentA::log); // the last snapshot, on shutdown

        Machine b = machine("mB", "clone1");
        assertFalse(Files.exists(b.db()));
        AgentProcess agentB = children.track(b.start("25", 0, 0));
        Poll.until("B's app to start", () -> b.startedWith().isPresent() || !agentB.isAlive(), agentB::log);
        assertEquals(Optional.of(25L), b.startedWith(), agentB::log);
        agentB.terminate();
        assertEquals(0, agentB.waitFor(), agentB::log); // 0: the app saw 25 rows at its first statement
    }

    @Test
    void aClonedMachineRestoresTheVersionARequestPinsAndTheRunningOriginalLeavesItAlone() throws Exception {
        Machine a = machine("mA", "clone2");
        Running running = runWithFiveRowsBackedUpThenTwelve(a, "clone2");
        AgentProcess agentA = running.agent();
        String v1 = running.fiveRows();
        assertEquals(0, a.cli("backup").status());
        assertEquals(2, admin.versions("clone2", "app").size());

        String id = admin.requestRestore("clone2", "app", v1, null, true).get("id").asText();
        // A runs on with its database: it sees the request and leaves it to a machine whose database is missing
        Poll.until("A to skip the request", () -> agentA.log().contains("event=restore_request.skipped id=" + id),
                agentA::log);

        Machine b = machine("mB", "clone2");
        AgentProcess agentB = children.track(b.start("5", 0, 0));
        Poll.until("B's app to start", () -> b.startedWith().isPresent() || !agentB.isAlive(), agentB::log);
        assertEquals(Optional.of(5L), b.startedWith(), agentB::log);
        JsonNode done = admin.restore("clone2", id);
        assertEquals("completed", done.get("state").asText(), done::toString);
        assertEquals("mB", done.get("claimedBy").asText(), done::toString);
        assertTrue(done.get("message").asText().contains(v1), done::toString);

        List<String> seenByA = a.seen();
        assertEquals("12", seenByA.get(seenByA.size() - 1), agentA::log);
        assertFalse(agentA.log().contains("event=restore_request.claimed id=" + id), agentA::log);
        agentB.terminate();
        assertEquals(0, agentB.waitFor(), agentB::log);
        agentA.terminate();
        assertEquals(0, agentA.waitFor(), agentA::log);
    }
}
