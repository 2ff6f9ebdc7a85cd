package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.OutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens when the server cannot take an upload: storage down, or every upload slot taken. */
class UploadLimitsTest {
    private static final String DB = "/api/v1/tenants/acme/databases/main/snapshots";
    @TempDir
    Path dir;

    @Test
    void uploadWhileStorageIsDownIs503WithRetryAfter() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 1));
        S3ProxyFixture s3 = S3ProxyFixture.start();
        try (TestServer server = TestServer.startOn(s3, Map.of())) {
            s3.close();
            HttpResponse<byte[]> r = send(request(server.baseUri(), DB, server.adminToken())
                    .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofByteArray(image)).build());
            assertEquals(503, r.statusCode(), text(r));
            assertTrue(text(r).contains("\"storage_unavailable\""), text(r));
            assertEquals("5", r.headers().firstValue("Retry-After").orElseThrow());
        }
    }

    @Test
    void uploadBeyondTheConcurrencyLimitIs503BusyAndTheHeldOneStillSucceeds() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 2));
        try (TestServer server = TestServer.start(Map.of("BACKUP_MAX_CONCURRENT_UPLOADS", "1"))) {
            Path other = dir.resolve("b.sqlite3");
            TestDatabases.create(other, 10, 3);
            HttpResponse<byte[]> busy = null;
            Socket held = null;
            // the held upload sends its headers and 100 bytes, then stops: once dispatched it holds the only slot.
            // A probe racing it may take the slot first, and then the held one is the one refused (the server waits
            // for the rest of its small body before answering): after a while without a 503, start again.
            for (int attempt = 0; attempt < 20 && busy == null; attempt++) {
                if (held != null) {
                    held.close();
                }
                held = openHeldUpload(server, image);
                for (int i = 0; i < 25 && busy == null; i++) {
                    HttpResponse<byte[]> r = send(request(server.baseUri(),
                            "/api/v1/tenants/acme/databases/other/snapshots", server.adminToken())
                            .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(other)).build());
                    if (r.statusCode() == 503) {
                        busy = r;
                    }
                }
            }
            assertTrue(busy != null, "a second upload was refused while the first held the slot");
            OutputStream out = held.getOutputStream();
            out.write(image, 100, image.length - 100);
            out.flush();
            held.setSoTimeout(30_000);
            String answer = new String(held.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            held.close();
            assertTrue(text(busy).contains("\"busy\""), text(busy));
            assertEquals("5", busy.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("HTTP/1.1 201", answer, "the held upload completes once its body arrives");
        }
    }

    private static Socket openHeldUpload(TestServer server, byte[] image) throws IOException {
        Socket held = new Socket("127.0.0.1", server.port());
        OutputStream out = held.getOutputStream();
        out.write(("POST " + DB + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.adminToken()
                + "\r\nContent-Type: application/vnd.sqlite3\r\nContent-Length: " + image.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(image, 0, 100);
        out.flush();
        return held;
    }
}
