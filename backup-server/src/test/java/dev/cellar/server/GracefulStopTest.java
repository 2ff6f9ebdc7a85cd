package dev.cellar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that is told to stop (a deploy, SIGTERM) lets an upload in flight finish instead of cutting it off. */
class GracefulStopTest {
    @TempDir
    Path dir;

    @Test
    void anUploadInFlightFinishesWhileTheServerStops() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 200, 1));
        TestServer server = TestServer.start();
        String token = server.mintToken("acme");
        CompletableFuture<Void> stopping;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/tenants/acme/databases/app/snapshots HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + token + "\r\nContent-Type: application/vnd.sqlite3\r\n"
                    + "Content-Length: " + image.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            int half = image.length / 2;
            out.write(image, 0, half);
            out.flush();

            stopping = CompletableFuture.runAsync(server::close);
            awaitRefusingConnections(server.port());
            out.write(image, half, image.length - half);
            out.flush();

            String status = statusLine(socket.getInputStream());
            assertTrue(status.startsWith("HTTP/1.1 201"), status);
        }
        stopping.get();
    }

    private static void awaitRefusingConnections(int port) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server never stopped accepting connections");
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().trim();
    }
}
