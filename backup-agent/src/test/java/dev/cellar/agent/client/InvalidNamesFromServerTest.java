package dev.cellar.agent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cellar.agent.Agent;
import dev.cellar.agent.requests.BootRequests;
import dev.cellar.agent.restore.BootRestore;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.LogLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Database names from the server become file paths (a glob entry names the file after the database): a name such
 * as {@code ../evil} is logged and ignored, never requested, claimed or written. The real server refuses such names
 * (its own tests prove it), so a small HTTP stub stands in for a compromised or broken one.
 */
class InvalidNamesFromServerTest {
    private static final String VERSION = "20261201T010203004Z-0123abcd";
    @TempDir
    Path data;
    private HttpServer stub;
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", this::answer);
        stub.start();
    }

    @AfterEach
    void stop() {
        stub.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        asked.add(x.getRequestMethod() + " " + path);
        x.getRequestBody().readAllBytes();
        String body;
        int status = 200;
        if (path.equals("/api/v1/tenants/t1/heartbeats")) {
            body = "{\"restores\":[{\"id\":\"r1\",\"database\":\"../evil\",\"version\":\"" + VERSION + "\","
                    + "\"state\":\"pending\",\"onlyIfMissing\":true},{\"id\":\"r2\",\"database\":\"app\","
                    + "\"version\":\"../../x\",\"state\":\"pending\",\"onlyIfMissing\":true}]}";
        } else if (path.equals("/api/v1/tenants/t1")) {
            body = "{\"databases\":[{\"database\":\"../evil\"},{\"database\":\"..\"},{\"database\":\"/etc/x\"}]}";
        } else {
            status = 404;
            body = "{\"error\":\"not_found\",\"message\":\"no such thing\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Test
    void invalidNamesInTheDatabaseListAndInRestoreRequestsAreLoggedAndNeverUsed() throws Exception {
        Path folder = Files.createDirectories(data.resolve("dbs"));
        URI server = URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
        Agent agent = AgentFixture.agent(AgentFixture.env(server, "t1", "token", folder));

        List<RestoreResult> done;
        try (LogLines log = LogLines.of(BackupClient.class)) {
            BootRequests boot = BootRequests.fetch(agent.restoreRequests().orElseThrow(), agent.restorer());
            assertEquals(List.of(), boot.pending());
            done = new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                    new BootRestore.Settings(server, false)).restoreMissing(agent::serverDatabases, boot);
            assertEquals(5, log.lines().stream().filter(l -> l.startsWith("WARN event=server.invalid_name")).count(),
                    log.lines()::toString);
        }

        assertEquals(List.of(), done);
        assertEquals(List.of("POST /api/v1/tenants/t1/heartbeats", "GET /api/v1/tenants/t1"), asked);
        try (Stream<Path> files = Files.walk(data)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("evil")), "a file was written");
        }
    }
}
