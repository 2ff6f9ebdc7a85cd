package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain-SQLite downloads each hold a zstd decoder (a window of up to 32 MiB): only a few run at once, and a slot
 * comes back when its reader finishes, disconnects, or stops reading for the idle timeout.
 *
 * <p>A holder is a raw reader that reads the status line and nothing more. A {@code 200} means it holds a slot: the
 * server takes the slot before it writes a byte, and the rest of the 32 MiB image (far more than the socket buffers
 * take) keeps the handler blocked in its write until the reader reads on or leaves. Every probe is a whole plain
 * download, which takes a slot itself while it runs, so probes start only once the holders are known to hold: a probe
 * racing a reader's admission takes the slot that reader was meant to get (the reader is refused with {@code 503},
 * rightly, and the cap is never seen as full).
 */
class DownloadLimitsTest {
    private static final String DB = "/api/v1/tenants/acme/databases/app/snapshots";
    private static final long IMAGE_BYTES = 512L * GeneratedSqliteImage.PAGE_SIZE; // 32 MiB: far more than buffers
    /** A generous upper bound for what must happen eventually, not a measure of speed. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(90);
    @TempDir
    Path dir;

    @Test
    void plainDownloadsBeyondTheLimitAre503BusyAndSlotsComeBackWhenReadersFinishOrLeave() throws Exception {
        // an idle timeout far beyond the test: holders hold until the test lets them go, never because the server
        // gave up on them (that case has its own test below)
        try (TestServer server = serverWith(2, "10m")) {
            String token = server.mintToken("acme");
            String sha256 = upload(server, token);
            try (RawHttp first = holder(server, token); RawHttp second = holder(server, token)) {
                assertBusy(plain(server, token));
                HttpResponse<byte[]> zstd = send(request(server.baseUri(), DB + "/latest", token)
                        .header("Range", "bytes=0-99").build());
                assertEquals(206, zstd.statusCode(), "the stored form needs no decoder and is not limited");

                assertEquals(sha256, sha256(first.body()), "the held download arrives whole once read");
                awaitPlain(server, token, "the slot of a reader that finished comes back");
                try (RawHttp third = awaitHolder(server, token)) {
                    assertBusy(plain(server, token)); // the second and the third hold both slots again
                    second.close();
                    awaitPlain(server, token, "the slot of a reader that disconnected comes back");
                }
            }
        }
    }

    @Test
    void aReaderThatStopsReadingGivesItsSlotBackAfterTheIdleTimeout() throws Exception {
        try (TestServer server = serverWith(1, "2s")) {
            String token = server.mintToken("acme");
            upload(server, token);
            try (RawHttp stalled = holder(server, token)) {
                // it neither reads on nor leaves: the write that waits for it fails once the idle timeout passes
                awaitPlain(server, token, "the slot of a stalled reader comes back after BACKUP_IDLE_TIMEOUT");
                assertTrue(bytesUntilClosed(stalled.body()) < IMAGE_BYTES, "the stalled download was cut off");
            }
        }
    }

    private TestServer serverWith(int maxPlainDownloads, String idleTimeout) {
        return TestServer.startLocal(dir.resolve("data"), Map.of(
                "BACKUP_MAX_PLAIN_DOWNLOADS", String.valueOf(maxPlainDownloads), "BACKUP_IDLE_TIMEOUT", idleTimeout));
    }

    /** Stores one 32 MiB image; returns its SHA-256. */
    private String upload(TestServer server, String token) throws Exception {
        byte[] header = GeneratedSqliteImage.headerFor(IMAGE_BYTES, dir.resolve("small.sqlite3"));
        HttpResponse<byte[]> stored = send(request(server.baseUri(), DB, token)
                .header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofInputStream(() -> new GeneratedSqliteImage(header, IMAGE_BYTES, 3)))
                .build());
        assertEquals(201, stored.statusCode(), text(stored));
        return Api.json(stored).get("sha256").asText();
    }

    /** A reader that holds a plain-download slot; nothing else may be asking for one meanwhile. */
    private static RawHttp holder(TestServer server, String token) throws IOException {
        RawHttp reader = RawHttp.get(server, DB + "/latest", token, SnapshotDownloads.SQLITE);
        reader.readTimeoutMillis((int) TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
        int status = reader.head().status();
        if (status != 200) {
            reader.close();
            fail("a plain download with a free slot is answered " + status);
        }
        return reader;
    }

    /**
     * A reader that holds a slot, once one is free: a probe that has just read its last byte may not have given its
     * slot back yet, so a {@code 503} here means "not yet".
     */
    private static RawHttp awaitHolder(TestServer server, String token) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (System.nanoTime() < deadline) {
            RawHttp reader = RawHttp.get(server, DB + "/latest", token, SnapshotDownloads.SQLITE);
            int status = reader.head().status();
            if (status == 200) {
                return reader;
            }
            reader.close();
            assertEquals(503, status, "a plain download is answered or refused as busy");
            Thread.sleep(100);
        }
        return fail("no plain-download slot came free");
    }

    /** Whole plain downloads until one is served (each refused one must be a proper {@code 503 busy}). */
    private static void awaitPlain(TestServer server, String token, String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> r = plain(server, token);
            if (r.statusCode() == 200) {
                assertEquals(IMAGE_BYTES, r.body().length, "the whole image");
                return;
            }
            assertBusy(r);
            Thread.sleep(100);
        }
        fail(why);
    }

    private static HttpResponse<byte[]> plain(TestServer server, String token) {
        return send(request(server.baseUri(), DB + "/latest", token).header("Accept", SnapshotDownloads.SQLITE)
                .build());
    }

    private static void assertBusy(HttpResponse<byte[]> r) {
        assertEquals(503, r.statusCode(), () -> "a plain download beyond the limit is refused, got "
                + (r.statusCode() == 200 ? r.body().length + " bytes of image" : text(r)));
        JsonNode body = Api.json(r);
        assertEquals("busy", body.path("error").asText(), text(r));
        assertTrue(body.path("message").asText().contains("BACKUP_MAX_PLAIN_DOWNLOADS"), text(r));
        assertEquals("5", r.headers().firstValue("Retry-After").orElseThrow());
    }

    private static String sha256(InputStream body) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        long left = IMAGE_BYTES;
        for (int n; left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; left -= n) {
            digest.update(buffer, 0, n);
        }
        assertEquals(0, left, "the body ended early");
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads until the server closes the connection (or resets it); returns how many body bytes came. */
    private static long bytesUntilClosed(InputStream body) {
        long count = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                count += n;
            }
        } catch (IOException closed) {
            // a reset is a close too
        }
        return count;
    }
}
