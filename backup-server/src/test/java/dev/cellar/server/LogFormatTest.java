package dev.cellar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.config.ServerConfig;
import dev.cellar.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code BACKUP_LOG_FORMAT=json}: the server process writes one JSON object per log line. */
class LogFormatTest {
    @TempDir
    Path dir;

    @Test
    void withJsonEveryLogLineOfTheServerProcessIsOneJsonObject() throws Exception {
        Path log = dir.resolve("server.log");
        try (ServerProcess server = ServerProcess.start(Map.of("BACKUP_DATA_DIR", dir.resolve("data").toString(),
                "BACKUP_HOST", "127.0.0.1", "PORT", "0", "BACKUP_LOG_FORMAT", "json"), log)) {
            assertTrue(server.port() > 0);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("Cellar server listening") || line.startsWith("Authenticate with")
                    || line.startsWith("Generated an admin token")) {
                continue; // the start banner is printed for people, not logged
            }
            assertTrue(line.startsWith("{") && line.endsWith("}"), "not a JSON line: " + line);
            events.add(mapper.readTree(line));
        }
        JsonNode started = events.stream().filter(e -> e.path("formattedMessage").asText().startsWith("event=server.started"))
                .findFirst().orElseThrow(() -> new AssertionError("no event=server.started in " + events));
        assertEquals("INFO", started.get("level").asText());
        assertTrue(started.get("formattedMessage").asText().contains("url=http://127.0.0.1:"), started::toString);
        assertTrue(started.has("timestamp") && started.has("loggerName"), started::toString);
    }

    @Test
    void anyOtherFormatIsRefusedNamingTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_LOG_FORMAT", "logfmt")));
        assertTrue(e.getMessage().contains("BACKUP_LOG_FORMAT must be text or json"), e.getMessage());
    }
}
