package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.server.testing.TestDatabases;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while the server is down and a scheduled upload waits in its retry backoff: one deadline runs from the
 * signal, the scheduled snapshot is interrupted, no retry that would end past the deadline starts, and the agent
 * exits within {@code BACKUP_SHUTDOWN_TIMEOUT} (3 s here) plus a margin. The test proves that bound; it does not
 * measure speed: without the deadline the backoff alone (up to 10 s a retry, 12 tries) keeps the agent for minutes.
 */
class ShutdownDeadlineTest extends EndToEnd {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** JVM exit, process reaping and a loaded build machine: generous, and far below the unbounded case. */
    private static final Duration MARGIN = Duration.ofSeconds(9);

    @Test
    void sigtermWithTheServerDownExitsWithinTheShutdownTimeout() throws Exception {
        Machine m = machine("mS", "down1", closedPort());
        m.env().put(AgentConfigLoader.SCHEDULE, "* * * * * ?"); // every second: an upload is soon in backoff
        m.env().put(AgentConfigLoader.RETRY_ATTEMPTS, "12");
        m.env().put(AgentConfigLoader.RETRY_BASE_DELAY, "10s");
        m.env().put(AgentConfigLoader.RETRY_MAX_DELAY, "10s");
        m.env().put(AgentConfigLoader.SHUTDOWN_TIMEOUT, TIMEOUT.toSeconds() + "s");
        m.env().remove("FLY_MACHINE_ID"); // no heartbeats: the boot goes straight to the app
        TestDatabases.create(m.db(), 5, 1); // present: nothing to restore from the server that is down
        AgentProcess agent = children.track(m.start("-", 3, 0));
        Poll.until("a scheduled upload to wait in its backoff", // from the schedule's first firing on
                () -> agent.log().contains("event=request.retry request=upload"), agent::log);

        long start = System.nanoTime();
        agent.terminate();
        agent.waitFor();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(TIMEOUT.plus(MARGIN)) < 0, "SIGTERM to exit took " + took + "\n" + agent.log());
    }

    private static URI closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }
}
