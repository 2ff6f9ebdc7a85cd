package dev.cellar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar cellar-server.jar --help | --version}: the real main in its own process prints and exits. */
class ServerArgsTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    @Test
    void helpPrintsUsageAndEveryVariableAndExitsWithoutStarting() throws Exception {
        Run run = main("--help");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("Usage: java -jar cellar-server.jar [--help | --version]"), run.out());
        assertTrue(run.out().contains("BACKUP_ADMIN_TOKEN") && run.out().contains("BUCKET_NAME"), run.out());
        assertNeverStarted(run);
    }

    @Test
    void versionPrintsTheVersionAndExitsWithoutStarting() throws Exception {
        Run run = main("--version");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().matches("cellar-server \\S+\\R"), run.out());
        assertNeverStarted(run);
    }

    @Test
    void anUnknownArgumentIsAUsageErrorNamingIt() throws Exception {
        Run run = main("--port=9000");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("unknown arguments [--port=9000]"), run.err());
        assertNeverStarted(run);
    }

    private void assertNeverStarted(Run run) {
        assertFalse(Files.exists(dir.resolve("data")), "the server created its data dir: it started\n" + run);
        assertFalse(run.out().contains("listening"), run.out());
    }

    /** ServerMain in a JVM of its own, with an environment that would start a server on its own. */
    private Run main(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        pb.environment().clear();
        pb.environment().put("BACKUP_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("PORT", "0");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s: it started a server");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }
}
