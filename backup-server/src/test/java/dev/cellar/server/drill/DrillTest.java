package dev.cellar.server.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.core.Zstd;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Restore drills on a real server over a real S3 bucket (S3Proxy): stored bytes are altered in the bucket behind
 * the server's back, and the drill must say so, delete nothing, and leave the previous good version restorable.
 */
class DrillTest {
    private static S3ProxyFixture s3;
    private static S3Client bucket;
    private static TestServer server;
    private static Api api;
    @TempDir
    Path dir;
    private String tenant;
    private String token;

    @BeforeAll
    static void start() {
        s3 = S3ProxyFixture.start();
        bucket = s3.newClient();
        server = TestServer.startOn(s3, Map.of("BACKUP_DRILL_CONCURRENCY", "2"));
        api = new Api(server);
    }

    @AfterAll
    static void stop() {
        server.close();
        bucket.close();
        s3.close();
    }

    @BeforeEach
    void tenant() {
        tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        token = server.mintToken(tenant);
    }

    @Test
    void aGoodSnapshotPassesOnceAndTheListingShowsItsVerification() {
        String v1 = api.upload(tenant, "app", token, null, dir, 50, 1);
        JsonNode run = drills(server);
        assertEquals(1, run.get("drilled").size());
        assertEquals(v1, run.get("drilled").get(0).get("version").asText());
        assertEquals("ok", run.get("drilled").get(0).get("verification").asText());
        JsonNode listed = listing(server, "app").get(0);
        assertEquals("ok", listed.get("verification").asText());
        assertNotNull(listed.get("verifiedAt").textValue());

        JsonNode again = drills(server);
        assertEquals(0, again.get("drilled").size(), "an ok newest snapshot is not drilled twice");
        assertEquals(1, again.get("report").get("counts").get("upToDate").asInt());
        assertTrue(drillWorkDirIsEmpty(), "every drill cleans its temp directory");
    }

    @Test
    void alteredBytesFailTheDrillDeleteNothingAndThePreviousGoodVersionStillRestores() throws Exception {
        String v1 = api.upload(tenant, "app", token, null, dir, 50, 1);
        assertEquals("ok", drills(server).get("drilled").get(0).get("verification").asText());
        Path v2File = TestDatabases.create(dir.resolve("v2.sqlite3"), 80, 2);
        String v2 = upload("app", v2File);
        // the same image with one byte changed deep inside, compressed again: a valid zstd object of the right
        // size whose image no longer has the recorded SHA-256
        byte[] image = Files.readAllBytes(v2File);
        image[image.length - 100] ^= 0x01;
        putStored("app", v2, zstd(image));

        JsonNode run = drills(server);
        String verdict = run.get("drilled").get(0).get("verification").asText();
        assertTrue(verdict.startsWith("SHA-256 mismatch"), verdict);
        assertEquals("failed", run.get("report").get("outcome").asText());
        JsonNode page = listing(server, "app");
        assertEquals(2, page.size(), "a failed drill deletes nothing");
        assertEquals(verdict, page.get(0).get("verification").asText());
        assertEquals("ok", page.get(1).get("verification").asText());
        JsonNode database = databaseInOverview("app");
        assertEquals("failing", database.get("status").asText(), database.toString());
        assertTrue(database.get("reason").asText().contains(v2 + " failed its restore drill"), database.toString());

        Path restored = dir.resolve("restored.sqlite3");
        HttpResponse<byte[]> r = Http.send(Http.request(server.baseUri(), "/api/v1/tenants/" + tenant
                + "/databases/app/snapshots/" + v1, token).header("Accept", "application/vnd.sqlite3").build());
        assertEquals(200, r.statusCode());
        Files.write(restored, r.body());
        assertEquals(TestDatabases.rows(TestDatabases.create(dir.resolve("again-v1.sqlite3"), 50, 1)),
                TestDatabases.rows(restored));

        // a server rebuilt from the bucket shows the same verdicts
        try (TestServer fresh = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", server.adminToken(),
                "BACKUP_TOKEN_SECRET", server.env().get("BACKUP_TOKEN_SECRET")))) {
            assertEquals(page, listing(fresh, "app"));
        }
    }

    @Test
    void aBrokenBtreeWithTheRightDigestFailsIntegrityCheck() throws Exception {
        Path db = TestDatabases.create(dir.resolve("broken.sqlite3"), 400, 3);
        long length = Files.size(db);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            // the last page (a leaf of the table or of its index) becomes noise; page 1 and its header stay whole,
            // so the upload's header checks pass and the stored digest is the digest of this broken image
            byte[] noise = new byte[4096];
            java.util.Arrays.fill(noise, (byte) 0x5A);
            f.seek(length - 4096);
            f.write(noise);
        }
        upload("app", db);
        String verdict = drills(server).get("drilled").get(0).get("verification").asText();
        assertTrue(verdict.startsWith("integrity_check: "), verdict);
        assertEquals(verdict, listing(server, "app").get(0).get("verification").asText());
        assertTrue(drillWorkDirIsEmpty());
    }

    @Test
    void storedBytesThatAreNotZstdOrAreGoneFailTheDrill() throws Exception {
        String v1 = api.upload(tenant, "garbage", token, null, dir, 10, 4);
        putStored("garbage", v1, "not a zstd frame at all".getBytes());
        String v2 = api.upload(tenant, "gone", token, null, dir, 10, 5);
        bucket.deleteObject(b -> b.bucket(s3.bucket()).key(SnapshotCatalog.dataKey(tenant, "gone", v2)));

        JsonNode drilled = drills(server).get("drilled");
        assertEquals(2, drilled.size());
        for (JsonNode d : drilled) {
            String verdict = d.get("verification").asText();
            if (d.get("database").asText().equals("garbage")) {
                assertTrue(verdict.startsWith("the stored snapshot does not decompress"), verdict);
            } else {
                assertEquals("the snapshot's data is missing from storage", verdict);
            }
        }
    }

    @Test
    void aFailedNewestSnapshotIsDrilledAgainAndPassesOnceItsBytesAreWhole() throws Exception {
        Path file = TestDatabases.create(dir.resolve("flaky.sqlite3"), 30, 6);
        String v1 = upload("app", file);
        byte[] stored = stored("app", v1);
        putStored("app", v1, "broken".getBytes());
        assertTrue(drills(server).get("drilled").get(0).get("verification").asText().startsWith("the stored"));
        assertEquals("failing", databaseInOverview("app").get("status").asText());
        putStored("app", v1, stored);
        assertEquals("ok", drills(server).get("drilled").get(0).get("verification").asText());
        assertEquals("ok", listing(server, "app").get(0).get("verification").asText());
        assertEquals("ok", databaseInOverview("app").get("status").asText());
    }

    private JsonNode databaseInOverview(String database) {
        JsonNode overview = api.expect(200, "GET", "/api/v1/tenants/" + tenant, server.adminToken(), null);
        for (JsonNode d : overview.get("databases")) {
            if (d.get("database").asText().equals(database)) {
                return d;
            }
        }
        throw new AssertionError("no " + database + " in " + overview);
    }

    private JsonNode drills(TestServer on) {
        return new Api(on).expect(200, "POST", "/api/v1/drills/run?tenant=" + tenant, on.adminToken(), null);
    }

    private JsonNode listing(TestServer on, String database) {
        return new Api(on).expect(200, "GET", "/api/v1/tenants/" + tenant + "/databases/" + database
                + "/snapshots", on.adminToken(), null).get("snapshots");
    }

    private String upload(String database, Path file) throws IOException {
        HttpResponse<byte[]> r = Http.send(Http.request(server.baseUri(), "/api/v1/tenants/" + tenant
                        + "/databases/" + database + "/snapshots", token).header("Content-Type", "application/vnd.sqlite3")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofFile(file)).build());
        assertEquals(201, r.statusCode(), Http.text(r));
        return Api.json(r).get("version").asText();
    }

    private byte[] stored(String database, String version) {
        return bucket.getObjectAsBytes(b -> b.bucket(s3.bucket())
                .key(SnapshotCatalog.dataKey(tenant, database, version))).asByteArray();
    }

    private void putStored(String database, String version, byte[] bytes) {
        bucket.putObject(b -> b.bucket(s3.bucket()).key(SnapshotCatalog.dataKey(tenant, database, version)),
                RequestBody.fromBytes(bytes));
    }

    private static byte[] zstd(byte[] image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Zstd.compress(out, 3, 0)) {
            z.write(image);
        }
        return out.toByteArray();
    }

    private static boolean drillWorkDirIsEmpty() {
        Path work = Path.of(server.env().get("BACKUP_DATA_DIR")).resolve("drills");
        try (Stream<Path> files = Files.list(work)) {
            return files.toList().equals(List.of());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
