package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.cli.ExitCodes;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine whose database is missing boots while a backup exists but the server cannot be reached: the agent
 * cannot tell whether there is something to restore, so the app must not start, unless the operator said so.
 */
class BootWithoutServerTest {
    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @TempDir
    Path root;

    private URI goneServer;
    private String token;

    /** A server that holds a backup of the tenant's database, then stops: its port is closed. */
    @BeforeEach
    void backupThenServerGone() throws Exception {
        try (TestServer server = Servers.start(Files.createDirectories(root.resolve("server")))) {
            token = server.mintToken("gone");
            Machine original = new Machine("mA", root, server.baseUri(), "gone", token);
            TestDatabases.create(original.db(), 10, 1);
            assertEquals(ExitCodes.OK, original.cli("backup").status());
            goneServer = server.baseUri();
        }
    }

    @Test
    void theAppDoesNotStartAndTheAgentSaysWhy() throws Exception {
        Machine clone = new Machine("mB", root, goneServer, "gone", token);

        AgentProcess agent = children.track(clone.start("-", 0, 0));

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, agent.waitFor(), agent::log);
        String log = agent.log();
        assertTrue(log.contains("database app is missing (" + clone.db() + ") and the backup server " + goneServer
                + " could not be reached"), log);
        assertFalse(Files.exists(clone.marker()), log);
        assertFalse(Files.exists(clone.db()), log);
    }

    @Test
    void withAllowEmptyStartTheAppStartsWithoutTheDatabaseAndTheAgentLogsAnError() throws Exception {
        Machine clone = new Machine("mB", root, goneServer, "gone", token);
        clone.env().put(AgentConfigLoader.ALLOW_EMPTY_START, "true");

        AgentProcess agent = children.track(clone.start("0", 3, 0));

        Poll.until("the app to start", () -> clone.startedWith().isPresent() || !agent.isAlive(), agent::log);
        assertEquals(Optional.of(0L), clone.startedWith(), agent::log);
        assertTrue(agent.log().contains("level=ERROR event=restore.empty_start database=app"), agent::log);
        agent.terminate();
        assertEquals(0, agent.waitFor(), agent::log); // the app's status, although the last snapshot failed
    }
}
