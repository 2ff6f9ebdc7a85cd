package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads that come slowly: one tenant cannot take every slot, and a trickle cannot keep one for ever. */
class SlowUploadsTest {
    private static final String SQLITE = "application/vnd.sqlite3";
    @TempDir
    Path dir;

    private static String path(String tenant, String database) {
        return "/api/v1/tenants/" + tenant + "/databases/" + database + "/snapshots";
    }

    @Test
    void oneTenantsStalledUploadsLeaveSlotsForOthers() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 1));
        Path small = TestDatabases.create(dir.resolve("b.sqlite3"), 10, 2);
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of(
                "BACKUP_MAX_CONCURRENT_UPLOADS", "4", "BACKUP_MAX_UPLOADS_PER_TENANT", "2",
                "BACKUP_UPLOAD_RATE_GRACE", "PT10M"))) {
            String hog = server.mintToken("hog");
            String fair = server.mintToken("fair");
            List<RawHttp> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    stalled.add(RawHttp.post(server, path("hog", "db" + i), hog, SQLITE, image.length,
                            java.util.Arrays.copyOf(image, 100)));
                }
                // the hog's own extra upload is refused once its stalled ones hold all the slots they can get
                boolean hogRefused = false;
                // a generous deadline, not a measure of speed: on a loaded machine the stalled uploads take a while
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
                while (!hogRefused && System.nanoTime() < deadline) {
                    hogRefused = upload(server, "hog", "probe", hog, small).statusCode() == 503;
                    if (!hogRefused) {
                        Thread.sleep(100);
                    }
                }
                assertTrue(hogRefused, "the hog's uploads fill what they may");
                HttpResponse<byte[]> other = upload(server, "fair", "app", fair, small);
                assertEquals(201, other.statusCode(), "another tenant still gets a slot: " + text(other));
                HttpResponse<byte[]> refused = upload(server, "hog", "probe", hog, small);
                assertEquals(503, refused.statusCode(), text(refused));
                assertTrue(text(refused).contains("BACKUP_MAX_UPLOADS_PER_TENANT"), text(refused));
                int retryAfter = Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1 && retryAfter <= UploadSlots.MAX_RETRY_AFTER, "Retry-After " + retryAfter);
            } finally {
                for (RawHttp c : stalled) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anUploadTricklingBelowTheMinimumRateIsRefusedAndFreesItsSlot() throws Exception {
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 200, 1));
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of(
                "BACKUP_MAX_CONCURRENT_UPLOADS", "1", "BACKUP_UPLOAD_MIN_RATE", "1KiB",
                "BACKUP_UPLOAD_RATE_GRACE", "1"))) {
            String token = server.mintToken("acme");
            RawHttp.Answer answer;
            try (RawHttp slow = RawHttp.post(server, path("acme", "app"), token, SQLITE, image.length,
                    java.util.Arrays.copyOf(image, 100))) {
                // 10 bytes a second: each byte would reset an idle timeout, the rate check still sees the trickle
                trickle(slow, image, 100, 1, 100, 300);
                slow.readTimeoutMillis(30_000);
                answer = slow.answer();
            }
            assertEquals(408, answer.status(), answer.body());
            assertTrue(answer.body().contains("\"upload_too_slow\""), answer.body());
            assertTrue(answer.body().contains("BACKUP_UPLOAD_MIN_RATE"), answer.body());
            new Api(server).upload("acme", "app", token, null, dir, 10, 3); // the only slot is free again
            assertEquals(1, new Api(server).expect(200, "GET", path("acme", "app"), token, null)
                    .get("snapshots").size(), "nothing of the refused upload was stored");
        }
    }

    @Test
    void anUploadLongerThanTheDeadlineIsRefusedEvenAtAGoodRate() throws Exception {
        long imageBytes = 64L * GeneratedSqliteImage.PAGE_SIZE;
        byte[] header = GeneratedSqliteImage.headerFor(imageBytes, dir.resolve("small.sqlite3"));
        byte[] image;
        try (InputStream in = new GeneratedSqliteImage(header, imageBytes, 7)) {
            image = in.readAllBytes();
        }
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of(
                "BACKUP_UPLOAD_MIN_RATE", "1KiB", "BACKUP_UPLOAD_RATE_GRACE", "1", "BACKUP_UPLOAD_DEADLINE", "2"))) {
            String token = server.mintToken("acme");
            RawHttp.Answer answer;
            try (RawHttp steady = RawHttp.post(server, path("acme", "app"), token, SQLITE, image.length,
                    java.util.Arrays.copyOf(image, 100))) {
                trickle(steady, image, 100, 2048, 50, 600); // about 40 KiB a second, 4 MiB in 100 s
                steady.readTimeoutMillis(30_000);
                answer = steady.answer();
            }
            assertEquals(408, answer.status(), answer.body());
            assertTrue(answer.body().contains("\"upload_deadline\""), answer.body());
        }
    }

    /** Sends {@code chunk} bytes every {@code pauseMillis} from {@code from} until the server answers. */
    private static void trickle(RawHttp client, byte[] image, int from, int chunk, long pauseMillis, int maxSteps)
            throws InterruptedException {
        try {
            for (int at = from, step = 0; at < image.length && step < maxSteps && !client.answered();
                 at += chunk, step++) {
                client.send(image, at, Math.min(chunk, image.length - at));
                Thread.sleep(pauseMillis);
            }
        } catch (IOException closed) {
            // the server answered and closed the connection
        }
    }

    private static HttpResponse<byte[]> upload(TestServer server, String tenant, String database, String token,
                                               Path db) throws IOException {
        return send(request(server.baseUri(), path(tenant, database), token).header("Content-Type", SQLITE)
                .POST(BodyPublishers.ofFile(db)).build());
    }
}
