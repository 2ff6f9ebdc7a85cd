package dev.cellar.agent.e2e;

import dev.cellar.agent.cli.AgentCommand;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.FileStoreDiskSpace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * A simulated tenant machine: a folder as its volume (holding {@code app.sqlite3}, the agent's state and the test
 * app's files) and the environment Fly would give it. Its agent runs as a child process; the operator's CLI runs
 * in the test's JVM with the same environment.
 */
final class Machine {
    private final String machineId;
    private final Path volume;
    private final Map<String, String> env = new HashMap<>();
    private int runs;

    Machine(String machineId, Path root, URI server, String tenant, String token) {
        this.machineId = machineId;
        this.volume = root.resolve(machineId);
        try {
            Files.createDirectories(volume);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home"));
        env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
        env.put("FLY_MACHINE_ID", machineId);
        env.put("FLY_REGION", "ams");
        env.put(AgentConfigLoader.SERVER_URL, server.toString());
        env.put(AgentConfigLoader.TENANT, tenant);
        env.put(AgentConfigLoader.TOKEN, token);
        env.put(AgentConfigLoader.DATABASES, "app=" + db());
        env.put(AgentConfigLoader.STATE_DIR, volume.resolve("state").toString());
        env.put(AgentConfigLoader.SCHEDULE, "0 0 0 1 1 ? 2099"); // snapshots on shutdown and on request only
        env.put(AgentConfigLoader.HEARTBEAT_INTERVAL, "500ms");
        env.put(AgentConfigLoader.RETRY_ATTEMPTS, "3");
        env.put(AgentConfigLoader.RETRY_BASE_DELAY, "50ms");
        env.put(AgentConfigLoader.RETRY_MAX_DELAY, "200ms");
        env.put(AgentConfigLoader.REQUEST_TIMEOUT, "10s");
        env.put(AgentConfigLoader.ZSTD_WORKERS, "0");
    }

    String id() {
        return machineId;
    }

    Path volume() {
        return volume;
    }

    Path db() {
        return volume.resolve("app.sqlite3");
    }

    Path marker() {
        return volume.resolve(TestApp.MARKER);
    }

    Map<String, String> env() {
        return env;
    }

    /**
     * Starts {@code cellar-agent run -- TestApp}: the app expects {@code expected} rows at its first statement
     * ("-" for any), adds {@code write} rows and exits {@code termStatus} on SIGTERM.
     */
    AgentProcess start(String expected, int write, int termStatus) {
        List<String> app = new ArrayList<>(AgentProcess.java(TestApp.class.getName()));
        app.addAll(List.of(db().toString(), volume.toString(), expected, Integer.toString(write),
                Integer.toString(termStatus)));
        runs++;
        return AgentProcess.start(machineId, env, app, volume.resolve("agent-" + runs + ".log"));
    }

    /** The row count the app first saw, once it has started. */
    Optional<Long> startedWith() throws IOException {
        return Files.exists(marker()) ? Optional.of(Long.parseLong(Files.readString(marker()).trim()))
                : Optional.empty();
    }

    /** The row counts the app's open connection has seen, oldest first (complete lines only). */
    List<String> seen() throws IOException {
        Path report = volume.resolve(TestApp.REPORT);
        if (!Files.exists(report)) {
            return List.of();
        }
        String text = Files.readString(report, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    /** The operator's {@code cellar-agent} command line on this machine, run in the test's JVM. */
    Cli cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = AgentCommand.commandLine(env, new FileStoreDiskSpace());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int status = cli.execute(args);
        return new Cli(status, out.toString());
    }

    record Cli(int status, String output) {
    }
}
