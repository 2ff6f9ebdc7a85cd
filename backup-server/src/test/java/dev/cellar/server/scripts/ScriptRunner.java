package dev.cellar.server.scripts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the operator scripts of {@code scripts/} with {@code bash}, against a server, with a stand-in {@code fly}
 * first on PATH. The stand-in appends each invocation's arguments (tab-separated, one invocation a line) to a log,
 * echoes them as flyctl echoes a machine's new configuration (so a token given to it would show), prints what
 * flyctl prints for {@code machine clone}, keeps what {@code secrets import} reads on stdin, and exits with {@code FLY_STANDIN_EXIT} (default 0).
 */
final class ScriptRunner {
    /** The stand-in's name of the machine that {@code machine clone} makes. */
    static final String CLONE = "m-clone";
    private static final String STAND_IN = """
            #!/usr/bin/env bash
            set -euo pipefail
            (IFS=$'\\t'; printf '%s\\n' "$*") >>"$FLY_STANDIN_LOG"
            echo "flyctl stand-in: $*"
            if [[ "$1 $2" == "secrets import" ]]; then
                cat >>"$FLY_STANDIN_LOG.stdin"
            fi
            status=${FLY_STANDIN_EXIT:-0}
            if [[ $status -ne 0 ]]; then
                echo "Error: the stand-in was told to fail" >&2
                exit "$status"
            fi
            if [[ "$1 $2" == "machine clone" ]]; then
                echo "Cloning Machine $3 into region ams"
                echo "Provisioning a new Machine with image registry.fly.io/cells:deployment-01"
                echo "  Machine @CLONE@ has been created..."
                echo "  Waiting for Machine @CLONE@ to start..."
                echo "Machine has been successfully cloned!"
            fi
            """.replace("@CLONE@", CLONE);

    /** What a script did. */
    record Result(int exit, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Path workDir;
    private final Path bin;
    private final Path flyLog;
    private final Map<String, String> env = new HashMap<>();

    /** A runner working in {@code workDir} (the scripts' current directory) against the server at {@code url}. */
    ScriptRunner(Path workDir, String url, String adminToken) {
        try {
            this.workDir = workDir;
            bin = Files.createDirectories(workDir.resolve("stand-in-bin"));
            standIn("fly", STAND_IN);
            flyLog = workDir.resolve("fly.log");
            Files.writeString(flyLog, "");
            env.put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
            env.put("FLY_STANDIN_LOG", flyLog.toString());
            env.put("CELLAR_URL", url);
            env.put("CELLAR_ADMIN_TOKEN", adminToken);
            env.put("CELLAR_POLL_INTERVAL", "0.2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's scripts directory, found from the module directory upwards. */
    static Path scriptsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/lib/cellar.sh"))) {
                return dir.resolve("scripts");
            }
        }
        throw new IllegalStateException("no scripts/lib/cellar.sh above " + Path.of("").toAbsolutePath());
    }

    /** Every script an operator runs (scripts/*.sh), sorted by name. */
    static List<Path> scripts() {
        try (Stream<Path> files = Files.list(scriptsDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sh")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts an executable {@code name} with the given script first on the scripts' PATH. */
    ScriptRunner standIn(String name, String script) {
        try {
            Path file = bin.resolve(name);
            Files.writeString(file, script);
            if (!file.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + file + " executable");
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets (or, with null, removes) a variable of the scripts' environment. */
    ScriptRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Path workDir() {
        return workDir;
    }

    /** Runs {@code scripts/<script>} with the arguments. */
    Result run(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", scriptsDir().resolve(script).toString()));
        command.addAll(Arrays.asList(args));
        return exec(command);
    }

    /** Runs a bash snippet with the scripts' library sourced, {@code input} on its stdin. */
    Result library(String snippet, String input) {
        try {
            Path in = Files.createTempFile(workDir, "stdin", ".txt");
            Files.writeString(in, input);
            String lib = scriptsDir().resolve("lib/cellar.sh").toString();
            return exec(List.of("bash", "-c", "set -euo pipefail; source \"$0\"; { " + snippet + "; } <\"$1\"", lib,
                    in.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every invocation of the stand-in fly so far, each as its arguments. */
    /** What the stand-in read on stdin ({@code secrets import}), empty when nothing. */
    List<String> flyStdin() {
        Path stdin = flyLog.resolveSibling(flyLog.getFileName() + ".stdin");
        try {
            return Files.exists(stdin) ? Files.readAllLines(stdin) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<List<String>> flyCalls() {
        try {
            return Files.readAllLines(flyLog).stream().map(line -> List.of(line.split("\t", -1))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Result exec(List<String> command) {
        try {
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Map<String, String> processEnv = pb.environment();
            processEnv.keySet().removeIf(k -> k.startsWith("CELLAR_") || k.startsWith("FLY_"));
            env.forEach((k, v) -> {
                if (v == null) {
                    processEnv.remove(k);
                } else {
                    processEnv.put(k, v);
                }
            });
            Process process = pb.start();
            process.getOutputStream().close();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 3 minutes");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
