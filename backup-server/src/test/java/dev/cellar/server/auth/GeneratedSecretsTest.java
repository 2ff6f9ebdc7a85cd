package dev.cellar.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import dev.cellar.server.CellarServer;
import dev.cellar.server.ServerMain;
import dev.cellar.server.config.ServerConfig;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets the embedded default generates: where they are is printed, never what they are. */
class GeneratedSecretsTest {
    @TempDir
    Path dir;

    private ServerConfig localWithoutSecrets() {
        Map<String, String> env = TestServer.baseEnv();
        env.remove("BACKUP_ADMIN_TOKEN");
        env.remove("BACKUP_TOKEN_SECRET");
        env.put("BACKUP_DATA_DIR", dir.toString());
        return ServerConfig.fromEnv(env);
    }

    @Test
    void theGeneratedAdminTokenIsNeverPrintedOnlyWhereItIsKept() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (CellarServer ignored = ServerMain.start(localWithoutSecrets())) {
            // started: its first-start message is written
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        String token = Files.readString(dir.resolve("admin-token")).trim();
        String secret = Files.readString(dir.resolve("token-secret")).trim();
        assertTrue(token.length() >= 32, "a real token was generated");
        assertFalse(printed.contains(token), "the admin token does not reach stdout: " + printed);
        assertFalse(printed.contains(secret));
        assertTrue(printed.contains(dir.resolve("admin-token").toString()), printed);
    }

    @Test
    void anEmptySecretFileStopsTheStartNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("admin-token"), "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerMain.start(localWithoutSecrets()));
        assertTrue(e.getMessage().contains(dir.resolve("admin-token").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void aShortSecretFileStopsTheStart() throws Exception {
        Files.writeString(dir.resolve("admin-token"), "x".repeat(40) + "\n");
        Files.writeString(dir.resolve("token-secret"), "short\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerMain.start(localWithoutSecrets()));
        assertTrue(e.getMessage().contains(dir.resolve("token-secret").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }

    @Test
    void aGeneratedSecretSurvivesARestartUnchanged() throws Exception {
        try (CellarServer ignored = ServerMain.start(localWithoutSecrets())) {
            // first start writes the files
        }
        String token = Files.readString(dir.resolve("admin-token"));
        try (CellarServer ignored = ServerMain.start(localWithoutSecrets())) {
            assertEquals(token, Files.readString(dir.resolve("admin-token")));
        }
        assertFalse(Files.exists(dir.resolve("admin-token.tmp")), "no temp file is left");
    }
}
