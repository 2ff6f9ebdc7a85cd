package dev.cellar.agent.testing;

import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test servers for the agent's tests. Snapshots are stored as local files: the agent cannot tell storage backends
 * apart, and a test can reach the stored bytes directly to alter them.
 */
public final class Servers {
    private Servers() {
    }

    public static TestServer start() throws IOException {
        return start(Files.createTempDirectory("cellar-server-data"));
    }

    public static TestServer start(Path storage) {
        return TestServer.startLocal(storage, Map.of());
    }
}
