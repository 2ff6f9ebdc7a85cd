package dev.cellar.agent.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code cellar-agent run -- <TestApp>} as a real child process of the test, with an explicit environment; its
 * output (the agent's log lines and the app's) goes to a file.
 */
final class AgentProcess {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final Path log;

    private AgentProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts the agent with {@code env} alone (nothing inherited) and {@code app} after {@code --}. */
    static AgentProcess start(String name, Map<String, String> env, List<String> app, Path log) {
        List<String> command = new ArrayList<>(runCommand());
        command.addAll(app);
        return launch(name, env, command, log);
    }

    /** {@code cellar-agent run --}, to which the app's command is appended. */
    static List<String> runCommand() {
        List<String> command = new ArrayList<>(java("dev.cellar.agent.Main"));
        command.add("run");
        command.add("--");
        return command;
    }

    /** Starts {@code command} (which runs the agent somewhere in it) with {@code env} alone. */
    static AgentProcess launch(String name, Map<String, String> env, List<String> command, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            return new AgentProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JVM on the test's class path running {@code mainClass}, small and quick to start. */
    static List<String> java(String mainClass) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                // the agent configures logback in code; the server's logback.xml on this class path goes unused
                // and logback's status report about it stays quiet
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"), mainClass);
    }

    /** The agent's process id (its JVM's, not the app's). */
    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    /** SIGTERM, as the platform stops a machine. */
    void terminate() {
        process.destroy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The agent's exit status; fails the test when it has not exited within {@link #DEADLINE}. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + DEADLINE + "\n" + log());
        }
        return process.exitValue();
    }

    /** Kills the agent and everything it started (the app). */
    void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
