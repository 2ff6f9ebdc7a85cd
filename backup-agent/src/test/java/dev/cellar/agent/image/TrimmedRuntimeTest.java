package dev.cellar.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.testing.Admin;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java runtime that the example tenant image builds for the agent with jlink, built here from the module list
 * in {@code examples/tenant-app/Dockerfile} (so the two cannot drift apart) and used to run the agent for real:
 * {@code run} with its schedule, signal handling, SQLite, zstd and HTTP — the parts that fail at run time, not at
 * start, when a module is missing. TLS ({@code jdk.crypto.ec}) is not covered: the test server speaks plain HTTP.
 */
class TrimmedRuntimeTest {
    private static final Pattern MODULES = Pattern.compile("jlink --add-modules ([\\w.,]+)");
    private static TestServer server;
    private static Admin admin;
    @TempDir
    static Path work;

    @BeforeAll
    static void startServer() throws IOException {
        server = Servers.start();
        admin = new Admin(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void theAgentBacksUpAndRestoresOnTheRuntimeTheExampleImageBuilds() throws Exception {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        assumeTrue(Files.isExecutable(jlink) && Files.isDirectory(Path.of(System.getProperty("java.home"), "jmods")),
                "this JDK has no jlink or no jmods (Debian: openjdk-17-jmods); the trimmed runtime cannot be built");
        Path runtime = work.resolve("java");
        exec(List.of(jlink.toString(), "--add-modules", modulesOfTheExampleImage(), "--no-man-pages",
                "--no-header-files", "--output", runtime.toString()), work.resolve("jlink.log"));

        Path first = Files.createDirectories(work.resolve("machine-1"));
        TestDatabases.create(first.resolve("app.sqlite3"), 40, 1);
        assertEquals(0, runAgent(runtime, first, "m1"), "backs up at shutdown");
        assertEquals(1, admin.versions("image", "app").size());

        Path clone = Files.createDirectories(work.resolve("machine-2"));
        assertEquals(0, runAgent(runtime, clone, "m2"), "restores before the app starts");
        assertEquals(TestDatabases.rows(first.resolve("app.sqlite3")), TestDatabases.rows(clone.resolve("app.sqlite3")));
    }

    /** {@code cellar-agent run -- true} on the trimmed runtime, as the image's wrapper runs it. */
    private static int runAgent(Path runtime, Path volume, String machine) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home"));
        env.put("FLY_MACHINE_ID", machine);
        env.put(AgentConfigLoader.SERVER_URL, server.baseUri().toString());
        env.put(AgentConfigLoader.TENANT, "image");
        env.put(AgentConfigLoader.TOKEN, server.mintToken("image"));
        env.put(AgentConfigLoader.DATABASES, "app=" + volume.resolve("app.sqlite3"));
        env.put(AgentConfigLoader.STATE_DIR, volume.resolve("state").toString());
        env.put(AgentConfigLoader.METRICS_PORT, "0"); // the metrics listener needs jdk.httpserver
        List<String> command = new ArrayList<>(List.of(runtime.resolve("bin/java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), "dev.cellar.agent.Main", "run", "--", "true"));
        Path log = volume.resolve("agent.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process p = builder.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the agent did not finish: " + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(!output.contains("NoClassDefFoundError") && !output.contains("ClassNotFoundException"), output);
        assertTrue(output.contains("event=metrics.listening"), output);
        return p.exitValue();
    }

    private static String modulesOfTheExampleImage() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("examples/tenant-app/Dockerfile"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "examples/tenant-app/Dockerfile not found above " + System.getProperty("user.dir"));
        Matcher m = MODULES.matcher(Files.readString(dir.resolve("examples/tenant-app/Dockerfile")));
        assertTrue(m.find(), "no jlink --add-modules line in the example Dockerfile");
        return m.group(1);
    }

    private static void exec(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "jlink did not finish");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }
}
