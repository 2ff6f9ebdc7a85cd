package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rolling back a running tenant: the operator asks for an older version while the app holds its database open;
 * the agent takes a pre-restore snapshot and copies the old version in, and the app's open connection sees it.
 */
class LiveRollbackTest extends EndToEnd {
    private static final Pattern PRE_RESTORE = Pattern.compile("pre-restore snapshot (\\S+)");

    @Test
    void aRequestForAnOlderVersionRollsTheLiveDatabaseBackAfterAPreRestoreSnapshot() throws Exception {
        Machine m = machine("mC", "live");
        Running running = runWithFiveRowsBackedUpThenTwelve(m, "live");
        AgentProcess agent = running.agent();
        String v1 = running.fiveRows();

        String id = admin.requestRestore("live", "app", v1, "mC", false).get("id").asText();

        Poll.until("the request to finish", () -> !"pending".equals(state(id)) && !"running".equals(state(id)),
                agent::log);
        JsonNode done = admin.restore("live", id);
        assertEquals("completed", done.get("state").asText(), () -> done + "\n" + agent.log());
        assertEquals("mC", done.get("claimedBy").asText(), done::toString);
        Poll.until("the app's open connection to see the 5 rows of " + v1, () -> seenAfter(m.seen(), "12", "5"),
                agent::log);

        Matcher pre = PRE_RESTORE.matcher(done.get("message").asText());
        assertTrue(pre.find(), done::toString);
        String preRestore = pre.group(1);
        assertTrue(admin.versions("live", "app").contains(preRestore), done::toString);
        Path saved = root.resolve("pre-restore.sqlite3");
        assertEquals(0, m.cli("restore", "--database", "app", "--version", preRestore, "--output", saved.toString())
                .status());
        assertEquals(12, TestDatabases.rows(saved).size());

        // the server's latest is the pre-restore snapshot: the next backup must send the rolled-back content
        Machine.Cli backup = m.cli("backup");
        assertEquals(0, backup.status(), backup.output());
        assertTrue(backup.output().contains("uploaded"), backup.output());
        String latest = admin.versions("live", "app").get(0);
        assertNotEquals(preRestore, latest);
        Path now = root.resolve("latest.sqlite3");
        assertEquals(0, m.cli("restore", "--database", "app", "--version", latest, "--output", now.toString())
                .status());
        assertEquals(5, TestDatabases.rows(now).size());

        agent.terminate();
        assertEquals(0, agent.waitFor(), agent::log);
    }

    private String state(String id) {
        return admin.restore("live", id).get("state").asText();
    }

    /** Whether {@code later} was seen after {@code earlier}. */
    private static boolean seenAfter(List<String> seen, String earlier, String later) {
        int first = seen.indexOf(earlier);
        return first >= 0 && seen.subList(first, seen.size()).contains(later);
    }
}
