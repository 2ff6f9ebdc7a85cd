package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.core.Hex;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** A database whose b-trees are damaged but whose header and length are fine. */
class VerifyOnUploadTest {
    private static final String LIST = "/api/v1/tenants/acme/databases/app/snapshots";
    @TempDir
    Path dir;

    /** A real database with pages 3 to 10 overwritten: SQLite's header and the file length still look right. */
    private Path corruptDatabase() throws Exception {
        Path db = TestDatabases.create(dir.resolve("corrupt.sqlite3"), 2000, 5);
        byte[] garbage = new byte[8 * 4096];
        Arrays.fill(garbage, (byte) 0x5a);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek(2 * 4096);
            f.write(garbage);
        }
        return db;
    }

    private HttpResponse<byte[]> upload(TestServer server, String token, Path db) throws Exception {
        return send(request(server.baseUri(), LIST, token).header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofFile(db)).build());
    }

    @Test
    void byDefaultACorruptDatabaseIsStoredAsUnverifiedAndTheDrillMarksItFailed() throws Exception {
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of())) {
            String token = server.mintToken("acme");
            Api api = new Api(server);
            api.upload("acme", "app", token, null, dir, 10, 1);
            JsonNode healthy = api.expect(200, "GET", LIST, token, null).get("snapshots").get(0);
            assertEquals("unverified", healthy.get("integrity").asText(), healthy.toString());

            HttpResponse<byte[]> stored = upload(server, token, corruptDatabase());
            assertEquals(201, stored.statusCode(), text(stored));
            assertEquals("unverified", Api.json(stored).get("integrity").asText(),
                    "the server has checked only the header and length: it does not call it healthy");

            api.expect(200, "POST", "/api/v1/drills/run?tenant=acme", server.adminToken(), null);
            JsonNode drilled = api.expect(200, "GET", LIST, token, null).get("snapshots").get(0);
            assertEquals("failed", drilled.get("integrity").asText(), drilled.toString());
        }
    }

    @Test
    void withQuickVerificationACorruptDatabaseIsRefusedAndNothingIsStored() throws Exception {
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.startLocal(data, Map.of("BACKUP_VERIFY_ON_UPLOAD", "quick"))) {
            String token = server.mintToken("acme");
            HttpResponse<byte[]> refused = upload(server, token, corruptDatabase());
            assertEquals(422, refused.statusCode(), text(refused));
            assertTrue(text(refused).contains("\"corrupt_database\""), text(refused));
            assertTrue(text(refused).contains("quick_check"), text(refused));
            assertEquals(0, new Api(server).expect(200, "GET", LIST, token, null).get("snapshots").size());
            try (Stream<Path> spool = Files.list(data.resolve("verify-spool"))) {
                assertEquals(0, spool.count(), "the spooled image is removed");
            }
            new Api(server).upload("acme", "app", token, null, dir, 10, 1); // a sound one passes
        }
    }

    @Test
    void withQuickVerificationACorruptDatabaseDeclaringItsDigestIsRefusedAndNothingIsUnderItsKey()
            throws Exception {
        Path corrupt = corruptDatabase();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream zstd = dev.cellar.core.Zstd.compress(out, 3, 0)) {
            Files.copy(corrupt, zstd);
        }
        byte[] body = out.toByteArray();
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of("BACKUP_VERIFY_ON_UPLOAD", "quick"));
             S3Client raw = s3.newClient()) {
            String token = server.mintToken("acme");
            HttpResponse<byte[]> refused = send(request(server.baseUri(), LIST, token)
                    .header("Content-Type", "application/zstd")
                    .header("X-Snapshot-Sha256", Hex.of(Hex.sha256().digest(Files.readAllBytes(corrupt))))
                    .POST(BodyPublishers.ofByteArray(body)).build());
            assertEquals(422, refused.statusCode(), text(refused));
            assertTrue(text(refused).contains("\"corrupt_database\""), text(refused));
            assertEquals(0, new Api(server).expect(200, "GET", LIST, token, null).get("snapshots").size());
            assertEquals(List.of(), raw.listObjectsV2Paginator(b -> b.bucket(s3.bucket())).contents().stream()
                    .map(o -> o.key()).filter(k -> k.contains("/snapshots/")).toList(), "nothing under the key");
        }
    }

    @Test
    void theVerificationSpoolIsBounded() throws Exception {
        Path big = TestDatabases.create(dir.resolve("big.sqlite3"), 12000, 9);
        assertTrue(Files.size(big) > (1 << 20), "the database is larger than the spool");
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of(
                "BACKUP_VERIFY_ON_UPLOAD", "quick", "BACKUP_VERIFY_SPOOL_BYTES", "1MiB"))) {
            HttpResponse<byte[]> busy = upload(server, server.mintToken("acme"), big);
            assertEquals(503, busy.statusCode(), text(busy));
            assertTrue(text(busy).contains("BACKUP_VERIFY_SPOOL_BYTES"), text(busy));
        }
    }
}
