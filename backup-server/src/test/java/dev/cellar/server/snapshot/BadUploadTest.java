package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.Hex;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every kind of bad upload gets a clear 4xx with a JSON body naming the problem, and leaves nothing in the bucket:
 * no snapshot, no marker, no staged object, no unfinished multipart upload.
 */
class BadUploadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX = 8L << 20;
    private static final String TENANT = "acme";
    private static S3ProxyFixture s3;
    private static S3Client client;
    private static TestServer server;
    private static String token;
    private static byte[] image;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
        client = s3.newClient();
        server = TestServer.startOn(s3, Map.of("BACKUP_MAX_SNAPSHOT_BYTES", "8MiB", "BACKUP_S3_PART_SIZE", "5MiB"));
        token = server.mintToken(TENANT);
        image = Files.readAllBytes(TestDatabases.create(dir.resolve("good.sqlite3"), 200, 1));
    }

    @AfterAll
    static void stop() {
        server.close();
        client.close();
        s3.close();
    }

    @AfterEach
    void nothingWasStored() {
        List<String> keys = client.listObjectsV2Paginator(b -> b.bucket(s3.bucket())).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/tenant.json")).toList();
        assertEquals(List.of(), keys, "objects left in the bucket");
        assertEquals(0, client.listMultipartUploads(b -> b.bucket(s3.bucket())).uploads().size(),
                "unfinished multipart uploads");
    }

    private static HttpResponse<byte[]> post(String database, String type, byte[] body, String digest) {
        HttpRequest.Builder b = request(server.baseUri(),
                "/api/v1/tenants/" + TENANT + "/databases/" + database + "/snapshots", token)
                .POST(BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (digest != null) {
            b.header("Content-Digest", digest);
        }
        return send(b.build());
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String code) throws IOException {
        assertEquals(status, r.statusCode(), text(r));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(code, body.get("error").asText(), text(r));
        assertTrue(body.get("message").asText().length() > 10, "the message explains the problem");
    }

    static Stream<String> badNames() {
        return Stream.of("..", "a%2Fb", "a%2fb", "a%20b", "%2E%2E", "-leading", "x".repeat(65), "caf%C3%A9", "a.b");
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void badDatabaseNameIsRefused(String name) throws IOException {
        assertError(post(name, "application/vnd.sqlite3", image, null), 400, "invalid_name");
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void badTenantNameIsRefused(String name) throws IOException {
        HttpResponse<byte[]> r = send(request(server.baseUri(), "/api/v1/tenants/" + name + "/databases/app/snapshots",
                server.adminToken()).header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofByteArray(image)).build());
        assertError(r, 400, "invalid_name");
    }

    @Test
    void emptyNameIsNotARoute() throws IOException {
        HttpResponse<byte[]> r = send(request(server.baseUri(), "/api/v1/tenants/" + TENANT + "/databases//snapshots",
                token).header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofByteArray(image)).build());
        assertError(r, 404, "not_found");
    }

    @Test
    void badMachineIdIsRefused() throws IOException {
        HttpResponse<byte[]> r = send(request(server.baseUri(), "/api/v1/tenants/" + TENANT + "/databases/app/snapshots",
                token).header("Content-Type", "application/vnd.sqlite3").header("X-Machine-Id", "../etc")
                .POST(BodyPublishers.ofByteArray(image)).build());
        assertError(r, 400, "invalid_name");
    }

    @Test
    void emptyBodyIsRefused() throws IOException {
        assertError(post("app", "application/vnd.sqlite3", new byte[0], null), 400, "empty_body");
        assertError(post("app", "application/zstd", new byte[0], null), 400, "empty_body");
    }

    @Test
    void textFileIsNotSqlite() throws IOException {
        byte[] text = "hello, this is not a database\n".repeat(20).getBytes(StandardCharsets.UTF_8);
        assertError(post("app", "application/vnd.sqlite3", text, null), 422, "not_sqlite");
    }

    @Test
    void truncatedDatabaseIsNotSqlite() throws IOException {
        byte[] truncated = Arrays.copyOf(image, image.length - 1000);
        assertError(post("app", "application/vnd.sqlite3", truncated, null), 422, "not_sqlite");
        assertError(post("app", "application/zstd", SnapshotApiTest.zstd(truncated), null), 422, "not_sqlite");
    }

    @Test
    void validZstdFrameAroundGarbageIsNotSqlite() throws IOException {
        byte[] garbage = new byte[64 * 1024];
        new Random(1).nextBytes(garbage);
        assertError(post("app", "application/zstd", SnapshotApiTest.zstd(garbage), null), 422, "not_sqlite");
    }

    @Test
    void bodyThatIsNotZstdIsCorrupt() throws IOException {
        assertError(post("app", "application/zstd", image, null), 422, "corrupt_body");
        assertError(post("app", "application/gzip", image, null), 422, "corrupt_body");
    }

    @Test
    void truncatedZstdStreamIsCorrupt() throws IOException {
        byte[] body = SnapshotApiTest.zstd(image);
        assertError(post("app", "application/zstd", Arrays.copyOf(body, body.length / 2), null), 422, "corrupt_body");
    }

    @Test
    void zstdBombIsRefusedAsTooLarge() throws IOException {
        // a valid database header followed by 1 GiB of zeros: about 40 KB compressed
        byte[] header = Arrays.copyOf(image, 4096);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream z = dev.cellar.core.Zstd.compress(out, 3, 0)) {
            z.write(header);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                z.write(zeros);
            }
        }
        assertTrue(out.size() < 100_000, "the bomb is small: " + out.size());
        assertError(post("app", "application/zstd", out.toByteArray(), null), 413, "too_large");
    }

    @Test
    void wrongContentDigestIsRefused() throws IOException {
        byte[] other = Hex.sha256().digest("something else".getBytes(StandardCharsets.UTF_8));
        assertError(post("app", "application/vnd.sqlite3", image, ContentDigest.sha256(other).headerValue()),
                422, "digest_mismatch");
    }

    @Test
    void malformedContentDigestIsRefused() throws IOException {
        assertError(post("app", "application/vnd.sqlite3", image, "sha-256=abc"), 400, "invalid_digest");
    }

    @Test
    void unsupportedOrMissingContentTypeIsRefused() throws IOException {
        assertError(post("app", "text/plain", image, null), 415, "unsupported_media_type");
        assertError(post("app", "application/octet-stream", image, null), 415, "unsupported_media_type");
    }

    @Test
    void bodyLargerThanTheMaximumIsRefusedBeforeReading() throws IOException {
        byte[] big = new byte[(int) MAX + 1];
        System.arraycopy(image, 0, big, 0, image.length);
        assertError(post("app", "application/vnd.sqlite3", big, null), 413, "too_large");
    }

    @Test
    void chunkedBodyLargerThanTheMaximumIsRefused() throws IOException {
        byte[] big = new byte[(int) MAX + 4096];
        System.arraycopy(image, 0, big, 0, image.length);
        HttpResponse<byte[]> r = send(request(server.baseUri(), "/api/v1/tenants/" + TENANT + "/databases/app/snapshots",
                token).header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertError(r, 413, "too_large");
    }

    @Test
    void largeUploadFailingItsDigestAfterSeveralPartsLeavesNoMultipartUpload() throws Exception {
        Path db = dir.resolve("big.sqlite3");
        Files.deleteIfExists(db);
        TestDatabases.create(db, 40_000, 2); // about 6 MiB of mostly random blobs: more than one 5 MiB part
        byte[] bigImage = Files.readAllBytes(db);
        assertTrue(bigImage.length > (5 << 20) && bigImage.length < MAX, "size " + bigImage.length);
        byte[] wrong = Hex.sha256().digest(new byte[1]);
        assertError(post("big", "application/vnd.sqlite3", bigImage, ContentDigest.sha256(wrong).headerValue()),
                422, "digest_mismatch");
    }
}
