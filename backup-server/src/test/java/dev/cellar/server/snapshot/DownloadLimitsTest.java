package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain-SQLite downloads each hold a zstd decoder (a window of up to 32 MiB): only a few run at once.
 *
 * <p>Tagged {@code race}, outside the default suite: in about one run in six the two readers that should hold the
 * slots never do within 90 s, not yet understood. Run it with {@code -Dtest=DownloadLimitsTest
 * -Dsurefire.excludedGroups=large}.
 */
@org.junit.jupiter.api.Tag("race")
class DownloadLimitsTest {
    private static final String DB = "/api/v1/tenants/acme/databases/app/snapshots";
    private static final long IMAGE_BYTES = 512L * GeneratedSqliteImage.PAGE_SIZE; // 32 MiB: far more than buffers
    @TempDir
    Path dir;

    @Test
    void plainDownloadsBeyondTheLimitAre503BusyWhileStoredFormDownloadsGoOn() throws Exception {
        byte[] header = GeneratedSqliteImage.headerFor(IMAGE_BYTES, dir.resolve("small.sqlite3"));
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of("BACKUP_MAX_PLAIN_DOWNLOADS", "2"))) {
            String token = server.mintToken("acme");
            HttpResponse<byte[]> stored = send(request(server.baseUri(), DB, token)
                    .header("Content-Type", "application/vnd.sqlite3")
                    .POST(BodyPublishers.ofInputStream(() -> new GeneratedSqliteImage(header, IMAGE_BYTES, 3)))
                    .build());
            assertEquals(201, stored.statusCode(), text(stored));
            List<RawHttp> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    // they read nothing: once the socket buffers are full each holds its download
                    readers.add(RawHttp.get(server, DB + "/latest", token, SnapshotDownloads.SQLITE));
                }
                HttpResponse<byte[]> busy = null;
                // a generous deadline, not a measure of speed: on a loaded machine the readers take a while to hold
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
                while (busy == null && System.nanoTime() < deadline) {
                    HttpResponse<byte[]> r = plainHead(server, token);
                    if (r.statusCode() == 503) {
                        busy = r;
                    } else {
                        Thread.sleep(100);
                    }
                }
                assertTrue(busy != null, "a third plain download is refused while two are held");
                assertTrue(text(busy).contains("BACKUP_MAX_PLAIN_DOWNLOADS"), text(busy));
                assertEquals("5", busy.headers().firstValue("Retry-After").orElseThrow());
                HttpResponse<byte[]> zstd = send(request(server.baseUri(), DB + "/latest", token)
                        .header("Range", "bytes=0-99").build());
                assertEquals(206, zstd.statusCode(), "the stored form needs no decoder and is not limited");
            } finally {
                for (RawHttp r : readers) {
                    r.close();
                }
            }
            int status = 0;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            while (status != 200 && System.nanoTime() < deadline) {
                status = plainHead(server, token).statusCode();
                if (status != 200) {
                    Thread.sleep(100);
                }
            }
            assertEquals(200, status, "the slots come back when the readers go away");
        }
    }

    private static HttpResponse<byte[]> plainHead(TestServer server, String token) {
        return send(request(server.baseUri(), DB + "/latest", token).header("Accept", SnapshotDownloads.SQLITE)
                .build());
    }
}
