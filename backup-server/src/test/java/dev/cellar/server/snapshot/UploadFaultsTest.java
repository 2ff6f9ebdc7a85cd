package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.Hex;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.ServerProcess;
import dev.cellar.server.testing.TcpGate;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Storage failing and the server dying in the middle of an upload: nothing partial becomes visible. */
class UploadFaultsTest {
    private static final String DB = "/api/v1/tenants/acme/databases/app/snapshots";
    private static final long IMAGE_BYTES = 384L * GeneratedSqliteImage.PAGE_SIZE; // 24 MiB: several 5 MiB parts
    private static final long SEED = 11;
    @TempDir
    Path dir;

    private byte[] header() throws Exception {
        return GeneratedSqliteImage.headerFor(IMAGE_BYTES, dir.resolve("small.sqlite3"));
    }

    private static HttpRequest upload(TestServer server, String token, byte[] header) {
        return request(server.baseUri(), DB, token).header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofInputStream(() -> new GeneratedSqliteImage(header, IMAGE_BYTES, SEED))).build();
    }

    @Test
    void storageLostMidUploadIs503NothingIsVisibleAndTheRetryLandsExactlyOnce() throws Exception {
        byte[] header = header();
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); TcpGate gate = new TcpGate(s3.endpoint().getPort());
             TestServer server = TestServer.startOn(s3, Map.of("AWS_ENDPOINT_URL_S3",
                     "http://127.0.0.1:" + gate.port(), "BACKUP_S3_PART_SIZE", "5MiB"))) {
            String token = server.mintToken("acme");
            long before = gate.upstreamBytes();
            Thread cutter = new Thread(() -> {
                while (gate.upstreamBytes() - before < 8L << 20) { // two parts are in the bucket
                    Thread.onSpinWait();
                }
                gate.cut();
            });
            cutter.start();
            HttpResponse<byte[]> failed = send(upload(server, token, header));
            cutter.join();
            assertEquals(503, failed.statusCode(), text(failed));
            assertTrue(text(failed).contains("\"storage_unavailable\""), text(failed));
            assertEquals("5", failed.headers().firstValue("Retry-After").orElseThrow());

            gate.reopen();
            Api api = new Api(server);
            assertEquals(0, api.expect(200, "GET", DB, token, null).get("snapshots").size(), "nothing partial");
            HttpResponse<byte[]> retried = send(upload(server, token, header));
            assertEquals(201, retried.statusCode(), text(retried));
            // the answer was lost and the agent sends the same snapshot again: still one version
            HttpResponse<byte[]> again = send(upload(server, token, header));
            assertEquals(200, again.statusCode(), text(again));
            assertTrue(Api.json(again).get("unchanged").asBoolean());
            assertEquals(1, api.expect(200, "GET", DB, token, null).get("snapshots").size());
            assertEquals(expectedSha256(header), Api.json(retried).get("sha256").asText());
        }
    }

    @Test
    void aServerKilledMidUploadLeavesNoVersionAndHousekeepingRemovesWhatItStaged() throws Exception {
        killMidUpload(false, "staging/");
    }

    @Test
    void aServerKilledMidDirectUploadLeavesNoVersionAndHousekeepingAbortsItsParts() throws Exception {
        killMidUpload(true, "tenants/acme/databases/app/snapshots/");
    }

    /** Kills the server while the upload's parts go to {@code partsUnder}, then runs housekeeping a day later. */
    private void killMidUpload(boolean declareDigest, String partsUnder) throws Exception {
        byte[] header = header();
        Map<String, String> headers = declareDigest ? Map.of("X-Snapshot-Sha256", expectedSha256(header)) : Map.of();
        byte[] image;
        try (InputStream in = new GeneratedSqliteImage(header, IMAGE_BYTES, SEED)) {
            image = in.readAllBytes();
        }
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); S3Client raw = s3.newClient()) {
            Map<String, String> env = TestServer.s3Env(s3, Map.of("BACKUP_S3_PART_SIZE", "5MiB"));
            try (ServerProcess process = ServerProcess.start(env, dir.resolve("server.log"))) {
                HttpResponse<byte[]> minted = send(request(process.baseUri(), "/api/v1/tenants/acme/tokens",
                        env.get("BACKUP_ADMIN_TOKEN")).POST(BodyPublishers.noBody()).build());
                assertEquals(201, minted.statusCode(), text(minted));
                try (RawHttp client = RawHttp.post(process.port(), DB, Api.json(minted).get("token").asText(),
                        "application/vnd.sqlite3", image.length, new byte[0], headers)) {
                    client.send(image, 0, image.length / 2);
                    for (int i = 0; i < 300 && stagedUploads(raw, s3) == 0; i++) {
                        Thread.sleep(100);
                    }
                    assertTrue(stagedUploads(raw, s3) > 0, "the upload had started storing parts");
                    raw.listMultipartUploads(b -> b.bucket(s3.bucket())).uploads().forEach(u ->
                            assertTrue(u.key().startsWith(partsUnder), u.key()));
                    process.kill();
                }
            }
            MutableClock dayLater = new MutableClock(Instant.now().plus(Duration.ofDays(2)));
            try (TestServer next = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", env.get("BACKUP_ADMIN_TOKEN"),
                    "BACKUP_TOKEN_SECRET", env.get("BACKUP_TOKEN_SECRET")), dayLater)) {
                Api api = new Api(next);
                assertEquals(0, api.expect(200, "GET", DB, next.adminToken(), null).get("snapshots").size(),
                        "no version of the interrupted upload");
                api.expect(200, "POST", "/api/v1/jobs/housekeeping/run", next.adminToken(), null);
                assertEquals(0, stagedUploads(raw, s3), "the staging leftover is gone");
            }
        }
    }

    private static int stagedUploads(S3Client raw, S3ProxyFixture s3) {
        return raw.listMultipartUploads(b -> b.bucket(s3.bucket())).uploads().size();
    }

    private static String expectedSha256(byte[] header) throws IOException {
        MessageDigest sha = Hex.sha256();
        try (InputStream image = new GeneratedSqliteImage(header, IMAGE_BYTES, SEED)) {
            image.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
        }
        return Hex.of(sha.digest());
    }
}
