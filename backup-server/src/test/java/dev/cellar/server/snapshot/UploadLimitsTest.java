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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        // without the queue in front of the slots: an upload beyond them is refused at once
        try (TestServer server = TestServer.start(Map.of("BACKUP_MAX_CONCURRENT_UPLOADS", "1",
                "BACKUP_UPLOAD_QUEUE", "0"))) {
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
            String answer = finishHeldUpload(held, image);
            assertTrue(text(busy).contains("\"busy\""), text(busy));
            int retryAfter = Integer.parseInt(busy.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= UploadSlots.MAX_RETRY_AFTER, "Retry-After " + retryAfter);
            assertEquals("HTTP/1.1 201", answer, "the held upload completes once its body arrives");
        }
    }

    @Test
    void anUploadBeyondTheSlotsWaitsInTheQueueAndIsStoredOnceTheSlotFrees() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 2));
        Path small = TestDatabases.create(dir.resolve("b.sqlite3"), 10, 3);
        try (TestServer server = TestServer.start(Map.of("BACKUP_MAX_CONCURRENT_UPLOADS", "1"))) {
            String other = server.mintToken("other");
            // the held upload takes the only slot: a probe of its own tenant is then refused for the tenant's share
            Socket held = null;
            boolean holding = false;
            for (int attempt = 0; attempt < 20 && !holding; attempt++) {
                if (held != null) {
                    held.close();
                }
                held = openHeldUpload(server, image);
                for (int i = 0; i < 25 && !holding; i++) {
                    HttpResponse<byte[]> r = post(server, "acme", "probe", server.adminToken(), small);
                    holding = r.statusCode() == 503 && text(r).contains("BACKUP_MAX_UPLOADS_PER_TENANT");
                }
            }
            assertTrue(holding, "the held upload took the slot");
            // two uploads of another tenant (one upload per tenant with one slot): one waits in the queue, and the
            // other is refused because the waiting one already counts toward the tenant's share
            CompletableFuture<HttpResponse<byte[]>> x = CompletableFuture.supplyAsync(() -> post(server, "other", "x",
                    other, small));
            CompletableFuture<HttpResponse<byte[]>> y = CompletableFuture.supplyAsync(() -> post(server, "other", "y",
                    other, small));
            @SuppressWarnings("unchecked")
            HttpResponse<byte[]> refused = (HttpResponse<byte[]>) CompletableFuture.anyOf(x, y).get(60, TimeUnit.SECONDS);
            assertEquals(503, refused.statusCode(), text(refused));
            assertTrue(text(refused).contains("BACKUP_MAX_UPLOADS_PER_TENANT"), text(refused));
            CompletableFuture<HttpResponse<byte[]>> queued = x.isDone() && x.get() == refused ? y : x;
            assertTrue(!queued.isDone(), "the other one waits while the slot is held");
            String answer = finishHeldUpload(held, image);
            assertEquals("HTTP/1.1 201", answer, "the held upload completes once its body arrives");
            HttpResponse<byte[]> stored = queued.get(60, TimeUnit.SECONDS);
            assertEquals(201, stored.statusCode(), "the waiting upload got the slot: " + text(stored));
        }
    }

    private static HttpResponse<byte[]> post(TestServer server, String tenant, String database, String token,
                                             Path db) {
        try {
            return send(request(server.baseUri(), "/api/v1/tenants/" + tenant + "/databases/" + database
                    + "/snapshots", token).header("Content-Type", "application/vnd.sqlite3")
                    .POST(BodyPublishers.ofFile(db)).build());
        } catch (java.io.FileNotFoundException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sends the rest of the held upload's body; its status line. */
    private static String finishHeldUpload(Socket held, byte[] image) throws IOException {
        OutputStream out = held.getOutputStream();
        out.write(image, 100, image.length - 100);
        out.flush();
        held.setSoTimeout(30_000);
        String answer = new String(held.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        held.close();
        return answer;
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
