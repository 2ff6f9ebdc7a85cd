package dev.cellar.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as a real process: what a script sees on stdout and stderr, and bash's completion of it. */
class CliProcessTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    @Test
    void withJsonStdoutIsOneDocumentAndTheLogLinesGoToStderr() throws Exception {
        try (TestServer server = Servers.start()) {
            Path data = Files.createDirectories(dir.resolve("data"));
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);
            Map<String, String> env = AgentFixture.env(server.baseUri(), "proc", server.mintToken("proc"), data);

            Run run = agent(env, "backup", "--json");

            assertEquals(0, run.status(), run::toString);
            JsonNode doc = JsonOutputTest.STRICT.readTree(run.out());
            assertEquals("uploaded", doc.get("results").get(0).get("outcome").asText(), run::toString);
            assertTrue(run.err().contains("event=snapshot.uploaded database=main"), run::toString);
        }
    }

    @Test
    void withJsonLogsEveryStderrLineIsOneJsonObject() throws Exception {
        Map<String, String> env = unreachableServer();
        env.put("BACKUP_LOG_FORMAT", "json");

        Run run = agent(env, "backup");

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, run.status(), run::toString);
        List<JsonNode> events = new ArrayList<>();
        for (String line : run.err().strip().split("\n")) {
            events.add(JsonOutputTest.STRICT.readTree(line)); // throws on a line that is not one JSON object
        }
        assertTrue(events.stream().anyMatch(e -> e.get("formattedMessage").asText().startsWith("event=request.retry")
                && e.get("level").asText().equals("WARN")), run::toString);
    }

    @Test
    void textLogLinesAreTheUtcTimeTheLevelAndTheEventAndTheLevelComesFromTheEnvironment() throws Exception {
        Map<String, String> env = unreachableServer();
        env.put("BACKUP_RETRY_ATTEMPTS", "2");
        env.put("BACKUP_RETRY_BASE_DELAY", "10ms");

        Run run = agent(env, "backup");

        assertEquals(ExitCodes.SERVER_UNAVAILABLE, run.status(), run::toString);
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=(INFO|WARN|ERROR) event=\\S+( .*)?");
        for (String l : run.err().strip().split("\n")) {
            assertTrue(line.matcher(l).matches(), () -> "not a log line of the text form: " + l + "\n" + run);
        }
        assertTrue(run.err().contains(" level=WARN event=request.retry "), run::toString);

        env.put("BACKUP_LOG_LEVEL", "ERROR");
        Run quiet = agent(env, "backup");

        assertFalse(quiet.err().contains("level=WARN"), quiet::toString);
        assertTrue(quiet.err().contains(" level=ERROR event="), quiet::toString);
    }

    @Test
    void theCompletionScriptCompletesCommandsAndOptionsInBash() throws Exception {
        Run script = agent(Map.of(), "completion");
        assertEquals(0, script.status(), script::toString);
        Path file = dir.resolve("cellar-agent-completion.bash");
        Files.writeString(file, script.out());

        assertEquals(List.of("restore", "run"), complete(file, "cellar-agent", "r"));
        assertTrue(complete(file, "cellar-agent", "verify", "--").containsAll(List.of("--database", "--json",
                "--version", "--at")), () -> complete(file, "cellar-agent", "verify", "--").toString());
    }

    /** The environment of an agent with one small database whose server cannot be reached (a closed port). */
    private Map<String, String> unreachableServer() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        TestDatabases.create(data.resolve("main.sqlite3"), 5, 1);
        return new java.util.HashMap<>(AgentFixture.env(java.net.URI.create("http://127.0.0.1:9"), "proc", "token",
                data));
    }

    /** What bash offers for the last of {@code words} with the completion script loaded. */
    private List<String> complete(Path script, String... words) {
        String line = String.join(" ", words);
        String bash = "source '" + script + "'\n"
                + "COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "';"
                + " COMP_POINT=${#COMP_LINE}\n"
                + "_complete_cellar-agent\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\" | sort\n";
        try {
            Run run = exec(List.of("bash", "-c", bash), Map.of());
            assertEquals(0, run.status(), run::toString);
            return run.out().isBlank() ? List.of() : List.of(run.out().strip().split("\n"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Run agent(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx192m", "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"), "dev.cellar.agent.Main"));
        command.addAll(List.of(args));
        return exec(command, env);
    }

    private Run exec(List<String> command, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> !k.equals("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + command);
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
