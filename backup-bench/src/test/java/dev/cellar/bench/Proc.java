package dev.cellar.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting and timing the processes under test: every one logs to its own file, none inherits our environment. */
final class Proc {
    private Proc() {
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Starts {@code command} with PATH and {@code env} only, stdout and stderr appended to {@code log}. */
    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> !k.equals("PATH"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs {@code command} to its end; throws (naming the log) unless it exits 0. Returns the seconds it took. */
    static double run(List<String> command, Map<String, String> env, Path log) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(command, env, log);
        awaitSuccess(p, command, log);
        return (System.nanoTime() - t0) / 1e9;
    }

    static void awaitSuccess(Process p, List<String> command, Path log) throws Exception {
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command).replaceAll("Bearer \\S+", "Bearer ***")
                    + " exited " + p.exitValue() + "; see " + log);
        }
    }

    /** A shell pipeline, as an operator would type it. */
    static double sh(String script, Path log) throws Exception {
        return run(List.of("sh", "-c", "set -e; " + script), Map.of(), log);
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** CPU seconds (user + system) a live process has used so far, from {@code /proc/<pid>/stat}. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // clock ticks (USER_HZ = 100)
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    static void stop(Process p) {
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
