package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.server.testing.PrometheusText;
import dev.cellar.server.testing.TestDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code BACKUP_METRICS_PORT} on a real agent process: after a scheduled snapshot the figures are there, parsed by
 * a strict reader of the Prometheus format; without the variable the agent listens on no port at all.
 */
class AgentMetricsTest extends EndToEnd {

    @Test
    void aRunningAgentServesItsSnapshotFiguresOnTheMetricsPort() throws Exception {
        Machine machine = snapshottingEverySecond("metrics-1", "acme");
        int port = freePort();
        machine.env().put(AgentConfigLoader.METRICS_PORT, Integer.toString(port));
        Instant started = Instant.now();
        AgentProcess agent = children.track(machine.start("-", 0, 0));
        try {
            PrometheusText[] text = new PrometheusText[1];
            Poll.until("a snapshot in the agent's metrics", () -> {
                text[0] = scrape(port);
                return text[0] != null && text[0].sum("cellar_agent_snapshots_total", "database", "app",
                        "outcome", "uploaded") >= 1;
            }, agent::log);
            PrometheusText t = text[0];
            assertEquals(Set.of((long) port), listeningPorts(agent.pid()), "the metrics port and no other");
            assertEquals(1, admin.versions("acme", "app").size());
            assertEquals(0, t.sum("cellar_agent_snapshots_total", "outcome", "failed"));
            assertTrue(t.sum("cellar_agent_uploaded_bytes_total", "database", "app") > 0);
            assertTrue(t.sum("cellar_agent_last_success_timestamp_seconds", "database", "app")
                    >= started.getEpochSecond());
            assertTrue(t.sum("cellar_agent_last_snapshot_size_bytes", "database", "app") >= 4096);
            assertFalse(t.find("cellar_agent_last_snapshot_duration_seconds", "database", "app").isEmpty());
            assertTrue(t.find("cellar_agent_last_failure_timestamp_seconds").isEmpty());
            assertEquals("counter", t.type("cellar_agent_snapshots_total"));
        } finally {
            stop(machine, agent);
            assertEquals(0, agent.waitFor(), agent::log);
        }
    }

    @Test
    void withoutTheVariableTheAgentListensOnNoPort() throws Exception {
        Machine machine = snapshottingEverySecond("metrics-2", "globex");
        AgentProcess agent = children.track(machine.start("-", 0, 0));
        try {
            Poll.until("a scheduled snapshot", () -> !admin.versions("globex", "app").isEmpty(), agent::log);
            assertEquals(Set.of(), listeningPorts(agent.pid()));
            assertFalse(agent.log().contains("event=metrics."), agent.log());
        } finally {
            stop(machine, agent);
            assertEquals(0, agent.waitFor(), agent::log);
        }
    }

    /** SIGTERM once the app is up (before, the app has no handler yet and dies of the signal). */
    private static void stop(Machine machine, AgentProcess agent) throws Exception {
        Poll.until("the app to start", () -> machine.startedWith().isPresent(), agent::log);
        agent.terminate();
    }

    /** A machine whose agent snapshots every second. */
    private Machine snapshottingEverySecond(String id, String tenant) throws Exception {
        Machine machine = machine(id, tenant);
        TestDatabases.create(machine.db(), 50, 1);
        machine.env().put(AgentConfigLoader.SCHEDULE, "* * * * * ?");
        return machine;
    }

    /** The exposition on {@code port}, or null while nothing answers there yet. */
    private static PrometheusText scrape(int port) throws InterruptedException {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return PrometheusText.parse(r.body());
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The TCP ports that process {@code pid} listens on: its socket inodes matched against the kernel's tables. */
    private static Set<Long> listeningPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        Set<Long> ports = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file); // read once: the table changes as sockets come and go
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    ports.add(Long.parseLong(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}
