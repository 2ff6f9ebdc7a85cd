package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.server.testing.Api;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A real agent process tells the server, per database, its last successful snapshot, its last error and its size,
 * and says with a final heartbeat on SIGTERM that its machine stopped on purpose.
 */
class HeartbeatReportTest extends EndToEnd {

    @Test
    void heartbeatsCarryEachDatabasesOutcomesAndTheLastOneSaysTheMachineStoppedOnPurpose() throws Exception {
        Machine m = machine("mH", "beat");
        // a second "database" that is not one: every snapshot of it fails
        Files.writeString(root.resolve("broken.sqlite3"), "this is not a SQLite database, not even close");
        m.env().put(AgentConfigLoader.DATABASES, "app=" + m.db() + ",broken=" + root.resolve("broken.sqlite3"));
        m.env().put(AgentConfigLoader.SCHEDULE, "0/1 * * * * ?");
        AgentProcess agent = children.track(m.start("0", 5, 0));

        Poll.until("heartbeats to report a backup of app and an error of broken", () -> {
            JsonNode mH = machine();
            return mH != null && !report(mH, "app").path("lastBackupAt").isMissingNode()
                    && !report(mH, "app").get("lastBackupAt").isNull()
                    && !report(mH, "broken").get("lastError").isNull();
        }, agent::log);
        JsonNode running = machine();
        assertFalse(running.get("stoppedOnPurpose").asBoolean(), running.toString());
        JsonNode broken = report(running, "broken");
        assertTrue(broken.get("lastBackupAt").isNull(), broken.toString());
        Instant.parse(broken.get("lastErrorAt").asText());
        assertFalse(broken.get("lastError").asText().isBlank(), broken.toString());

        agent.terminate();
        assertEquals(0, agent.waitFor(), agent::log);
        JsonNode stopped = machine();
        assertTrue(stopped.get("stoppedOnPurpose").asBoolean(), stopped + "\n" + agent.log());
        JsonNode app = report(stopped, "app");
        assertEquals(Files.size(m.db()), app.get("sizeBytes").asLong(), app.toString());
        assertTrue(Instant.parse(app.get("lastBackupAt").asText())
                .isAfter(Instant.parse(report(running, "app").get("lastBackupAt").asText()))
                || app.get("lastBackupAt").equals(report(running, "app").get("lastBackupAt")), app.toString());
        assertTrue(agent.log().contains("event=heartbeat.final"), agent.log());
    }

    /** Machine mH as the tenant overview shows it, or null before its first heartbeat. */
    private static JsonNode machine() {
        JsonNode tenant = new Api(server).expect(200, "GET", "/api/v1/tenants/beat", server.adminToken(), null);
        for (JsonNode m : tenant.get("machines")) {
            if (m.get("machineId").asText().equals("mH")) {
                return m;
            }
        }
        return null;
    }

    private static JsonNode report(JsonNode machine, String database) {
        for (JsonNode d : machine.get("databases")) {
            if (d.get("name").asText().equals(database)) {
                return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
