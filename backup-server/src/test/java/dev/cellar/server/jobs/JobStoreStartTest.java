package dev.cellar.server.jobs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.ServerMain;
import dev.cellar.server.config.ServerConfig;
import dev.cellar.server.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server told to use a job store database it cannot reach does not start, and says which one. */
class JobStoreStartTest {
    @TempDir
    Path dir;

    @Test
    void anUnreachableDatabaseStopsTheStartNamingItButNotItsPassword() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> env = TestServer.baseEnv();
        env.put("BACKUP_DATA_DIR", dir.toString());
        env.put("BACKUP_DB_URL", "postgres://cellar:hunter2-secret@127.0.0.1:" + closedPort + "/cellar");

        JobStoreException e = assertThrows(JobStoreException.class,
                () -> ServerMain.start(ServerConfig.fromEnv(env)).close());

        assertTrue(e.getMessage().startsWith("cannot connect to the job store database postgresql://127.0.0.1:"
                + closedPort + "/cellar (BACKUP_DB_URL, BACKUP_DB_USER, BACKUP_DB_PASSWORD): "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
