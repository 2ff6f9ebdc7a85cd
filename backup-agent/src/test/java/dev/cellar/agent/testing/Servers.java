package dev.cellar.agent.testing;

import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

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

    /** The stored (zstd) object of {@code version} on a server started with {@link #start(Path)}. */
    public static Path storedFile(Path storage, String version) throws IOException {
        try (Stream<Path> files = Files.walk(storage)) {
            return files.filter(p -> p.getFileName().toString().startsWith(version)).findFirst().orElseThrow();
        }
    }

    /** Flips one bit in the middle of the stored object of {@code version}, as a failing disk would. */
    public static void damage(Path storage, String version) throws IOException {
        Path stored = storedFile(storage, version);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(stored, bytes);
    }
}
