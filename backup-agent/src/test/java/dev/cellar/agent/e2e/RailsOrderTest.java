package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.server.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The order of agent and Rails' {@code bin/docker-entrypoint} (which runs {@code db:prepare}), with both as real
 * processes on a fresh volume while the server holds the tenant's backup: the agent outermost restores first and
 * {@code db:prepare} finds the restored database; the entrypoint outermost creates an empty database that nothing
 * restores any more, and the agent says so loudly.
 */
class RailsOrderTest extends EndToEnd {
    private static final String WARNING = "event=database.empty_with_backup database=app";

    @Test
    void withTheAgentOutermostTheBackupIsRestoredBeforeDbPrepareAndTheAppStartsOnIt() throws Exception {
        Machine fresh = machineWithBackupOf25Rows("rails1");
        Path rails = RailsStandIn.install(fresh.volume(), fresh.db(), fresh.volume(), "25");
        // ENTRYPOINT ["java", "-jar", "cellar-agent.jar", "run", "--", "/rails/bin/docker-entrypoint"]
        // CMD ["./bin/rails", "server"]
        List<String> command = new ArrayList<>(AgentProcess.runCommand());
        command.addAll(List.of(rails.resolve("bin/docker-entrypoint").toString(), "./bin/rails", "server"));
        AgentProcess agent = children.track(AgentProcess.launch("agent-outermost", fresh.env(), command,
                fresh.volume().resolve("agent.log")));

        Poll.until("the app to start", () -> fresh.startedWith().isPresent() || !agent.isAlive(), agent::log);
        assertEquals(Optional.of(25L), fresh.startedWith(), agent::log);
        assertEquals("existing", prepareFound(fresh), agent::log); // db:prepare ran on the restored database
        assertFalse(agent.log().contains(WARNING), agent::log);
        agent.terminate();
        assertEquals(0, agent.waitFor(), agent::log);
    }

    @Test
    void withTheEntrypointOutermostDbPrepareCreatesAnEmptyDatabaseAndTheAgentWarnsLoudly() throws Exception {
        Machine fresh = machineWithBackupOf25Rows("rails2");
        Path rails = RailsStandIn.install(fresh.volume(), fresh.db(), fresh.volume(), "-");
        // ENTRYPOINT ["/rails/bin/docker-entrypoint"]
        // CMD ["java", "-jar", "cellar-agent.jar", "run", "--", "./bin/rails", "server"]: the trap
        List<String> command = new ArrayList<>(List.of(rails.resolve("bin/docker-entrypoint").toString()));
        command.addAll(AgentProcess.runCommand());
        command.addAll(List.of("./bin/rails", "server"));
        AgentProcess agent = children.track(AgentProcess.launch("entrypoint-outermost", fresh.env(), command,
                fresh.volume().resolve("agent.log")));

        Poll.until("the app to start", () -> fresh.startedWith().isPresent() || !agent.isAlive(), agent::log);
        assertEquals(Optional.of(0L), fresh.startedWith(), agent::log);
        assertEquals("created", prepareFound(fresh), agent::log);
        String log = agent.log();
        assertTrue(log.contains(WARNING), log);
        String version = admin.versions("rails2", "app").get(0);
        assertTrue(log.contains("cellar-agent restore --database app --version " + version + " --force"), log);
        agent.terminate();
        assertEquals(0, agent.waitFor(), agent::log);
    }

    /** A new machine of {@code tenant} with an empty volume, after another machine backed up 25 rows. */
    private Machine machineWithBackupOf25Rows(String tenant) throws Exception {
        Machine old = machine("old", tenant);
        TestDatabases.create(old.db(), 25, 1);
        assertEquals(0, old.cli("backup").status());
        Machine fresh = machine("fresh", tenant);
        assertFalse(Files.exists(fresh.db()));
        // the default shape of BACKUP_DATABASES: a glob over the volume, as Rails' database.yml paths need
        fresh.env().put(AgentConfigLoader.DATABASES, fresh.volume().resolve("*.sqlite3").toString());
        return fresh;
    }

    private static String prepareFound(Machine m) throws Exception {
        return Files.readString(m.volume().resolve(RailsStandIn.PREPARE_REPORT)).trim();
    }
}
