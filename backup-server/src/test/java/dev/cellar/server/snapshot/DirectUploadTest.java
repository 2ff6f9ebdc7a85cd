package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Uploads that declare the image's digest up front ({@code X-Snapshot-Sha256}) go straight to their version's key,
 * over S3 (S3Proxy) and local files: no staging copy, nothing visible or left behind when the upload fails.
 */
class DirectUploadTest {
    private static final String DB = "/api/v1/tenants/acme/databases/app/snapshots";
    private static final String SNAPSHOTS = "tenants/acme/databases/app/snapshots/";
    private static final long IMAGE_BYTES = 192L * GeneratedSqliteImage.PAGE_SIZE; // 12 MiB: parts of 5 MiB
    @TempDir
    Path dir;
    private byte[] header;

    @BeforeEach
    void header() throws Exception {
        header = GeneratedSqliteImage.headerFor(IMAGE_BYTES, dir.resolve("small.sqlite3"));
    }

    /** The image with {@code seed}, its zstd body and its SHA-256. */
    private record Body(byte[] zstd, String sha256) {
    }

    private Body body(long seed) throws IOException {
        return body(header, IMAGE_BYTES, seed);
    }

    private static Body body(byte[] header, long imageBytes, long seed) throws IOException {
        byte[] image;
        try (InputStream in = new GeneratedSqliteImage(header, imageBytes, seed)) {
            image = in.readAllBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Zstd.compress(out, 3, 0)) {
            z.write(image);
        }
        return new Body(out.toByteArray(), Hex.of(Hex.sha256().digest(image)));
    }

    /** The server under test and a view of its storage that needs no server. */
    private interface Backend extends AutoCloseable {
        TestServer server();

        /** Every stored key, staging included. */
        List<String> keys() throws IOException;

        /** The keys of uploads in progress: multipart uploads (S3), staging files (local). */
        List<String> openUploads();

        @Override
        void close();
    }

    private Backend backend(String kind) {
        if (kind.equals("local")) {
            TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of());
            Path data = dir.resolve("data").resolve("snapshots"); // the store's root
            return new Backend() {
                public TestServer server() {
                    return server;
                }

                public List<String> keys() throws IOException {
                    try (Stream<Path> files = Files.walk(data)) {
                        return files.filter(Files::isRegularFile).map(p -> data.relativize(p).toString()).toList();
                    }
                }

                public List<String> openUploads() {
                    try {
                        return keys().stream().filter(k -> k.startsWith(".staging")).toList();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                public void close() {
                    server.close();
                }
            };
        }
        S3ProxyFixture s3 = S3ProxyFixture.start();
        TestServer server = TestServer.startOn(s3, Map.of("BACKUP_S3_PART_SIZE", "5MiB"));
        S3Client raw = s3.newClient();
        return new Backend() {
            public TestServer server() {
                return server;
            }

            public List<String> keys() {
                return raw.listObjectsV2Paginator(b -> b.bucket(s3.bucket())).contents().stream()
                        .map(S3Object::key).toList();
            }

            public List<String> openUploads() {
                return raw.listMultipartUploads(b -> b.bucket(s3.bucket())).uploads().stream()
                        .map(MultipartUpload::key).toList();
            }

            public void close() {
                server.close();
                raw.close();
                s3.close();
            }
        };
    }

    private static HttpResponse<byte[]> upload(TestServer server, String token, Body body, String declared) {
        return send(request(server.baseUri(), DB, token).header("Content-Type", "application/zstd")
                .header("X-Snapshot-Sha256", declared).POST(BodyPublishers.ofByteArray(body.zstd())).build());
    }

    private static RawHttp startRaw(TestServer server, String token, Body body) throws IOException {
        return RawHttp.post(server.port(), DB, token, "application/zstd", body.zstd().length,
                java.util.Arrays.copyOf(body.zstd(), body.zstd().length / 2),
                Map.of("X-Snapshot-Sha256", body.sha256()));
    }

    private static void awaitOpenUpload(Backend b) throws InterruptedException {
        for (int i = 0; i < 200 && b.openUploads().isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertFalse(b.openUploads().isEmpty(), "the upload had started storing parts");
    }

    private static JsonNode list(TestServer server, String token) {
        return new Api(server).expect(200, "GET", DB, token, null).get("snapshots");
    }

    private static void assertNoSnapshotData(Backend b) throws IOException {
        assertEquals(List.of(), b.keys().stream().filter(k -> k.contains("/snapshots/") || k.contains("staging"))
                .toList(), "no snapshot data and nothing staged is left");
        assertEquals(List.of(), b.openUploads(), "no multipart upload is left open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "local"})
    void aDeclaredDigestStreamsStraightToTheVersionKeyAndADuplicateIsOneVersion(String kind) throws Exception {
        Body body = body(1);
        try (Backend b = backend(kind)) {
            String token = b.server().mintToken("acme");
            try (RawHttp client = startRaw(b.server(), token, body)) {
                awaitOpenUpload(b);
                if (kind.equals("s3")) {
                    for (String key : b.openUploads()) {
                        assertTrue(key.startsWith(SNAPSHOTS), "the parts go to the version's own key: " + key);
                    }
                }
                client.send(body.zstd(), body.zstd().length / 2, body.zstd().length - body.zstd().length / 2);
                RawHttp.Answer answer = client.answer();
                assertEquals(201, answer.status(), answer.body());
                JsonNode stored = Api.json(upload(b.server(), token, body, body.sha256())); // a duplicate delivery
                assertTrue(stored.get("unchanged").asBoolean(), stored.toString());
            }
            JsonNode versions = list(b.server(), token);
            assertEquals(1, versions.size(), versions.toString());
            assertEquals(body.sha256(), versions.get(0).get("sha256").asText());
            assertEquals(body.zstd().length, versions.get(0).get("storedBytes").asLong());
            assertEquals(List.of(SNAPSHOTS + versions.get(0).get("version").asText() + ".sqlite.zst"),
                    b.keys().stream().filter(k -> k.contains("/snapshots/") || k.contains("staging")).toList());
            assertEquals(List.of(), b.openUploads());
            HttpResponse<byte[]> download = send(request(b.server().baseUri(), DB + "/latest", token)
                    .header("Accept", "application/zstd").GET().build());
            assertArrayEquals(body.zstd(), download.body(), "the stored form is the body as sent");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "local"})
    void aWrongDeclaredDigestIsRefusedAndLeavesNothing(String kind) throws Exception {
        Body body = body(2);
        String wrong = body(3).sha256();
        try (Backend b = backend(kind)) {
            String token = b.server().mintToken("acme");
            HttpResponse<byte[]> refused = upload(b.server(), token, body, wrong);
            assertEquals(422, refused.statusCode(), text(refused));
            assertEquals("digest_mismatch", Api.json(refused).get("error").asText());
            assertTrue(text(refused).contains("X-Snapshot-Sha256"), text(refused));
            assertEquals(0, list(b.server(), token).size());
            assertNoSnapshotData(b);
        }
    }

    @Test
    void aMalformedDeclaredDigestIs400NamingTheHeader() throws Exception {
        // under 1 MiB: a refusal reads the rest of such a body, so the client gets its answer (larger: no drain)
        long tiny = 4L * GeneratedSqliteImage.PAGE_SIZE;
        Body body = body(GeneratedSqliteImage.headerFor(tiny, dir.resolve("tiny.sqlite3")), tiny, 4);
        try (Backend b = backend("local")) {
            String token = b.server().mintToken("acme");
            for (String bad : List.of("xyz", body.sha256().substring(1), body.sha256() + "00", "sha-256=:abc=:")) {
                HttpResponse<byte[]> refused = upload(b.server(), token, body, bad);
                assertEquals(400, refused.statusCode(), text(refused));
                assertEquals("invalid_digest", Api.json(refused).get("error").asText());
                assertTrue(text(refused).contains("X-Snapshot-Sha256"), text(refused));
            }
            HttpResponse<byte[]> upper = upload(b.server(), token, body, body.sha256().toUpperCase());
            assertEquals(201, upper.statusCode(), "hex digits in either case: " + text(upper));
            assertEquals(1, list(b.server(), token).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "local"})
    void aBodyCutMidwayLeavesNothingAfterHousekeeping(String kind) throws Exception {
        Body body = body(5);
        try (Backend b = backend(kind)) {
            String token = b.server().mintToken("acme");
            try (RawHttp client = startRaw(b.server(), token, body)) {
                awaitOpenUpload(b);
            } // the client goes away mid-body
            for (int i = 0; i < 200 && !b.openUploads().isEmpty(); i++) {
                Thread.sleep(50);
            }
            new Api(b.server()).expect(200, "POST", "/api/v1/jobs/housekeeping/run", b.server().adminToken(), null);
            assertEquals(0, list(b.server(), token).size());
            assertNoSnapshotData(b);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3", "local"})
    void anUploadOvertakenByAnotherIsRefusedSoVersionsKeepTheirOrder(String kind) throws Exception {
        Body slow = body(6);
        Body fast = body(7);
        try (Backend b = backend(kind)) {
            String token = b.server().mintToken("acme");
            try (RawHttp client = startRaw(b.server(), token, slow)) {
                awaitOpenUpload(b);
                Thread.sleep(5); // versions count milliseconds: the next upload starts in a later one
                assertEquals(201, upload(b.server(), token, fast, fast.sha256()).statusCode());
                client.send(slow.zstd(), slow.zstd().length / 2, slow.zstd().length - slow.zstd().length / 2);
                RawHttp.Answer answer = client.answer();
                assertEquals(503, answer.status(), answer.body());
                assertTrue(answer.body().contains("\"busy\""), answer.body());
            }
            assertEquals(201, upload(b.server(), token, slow, slow.sha256()).statusCode(), "the retry lands");
            JsonNode versions = list(b.server(), token);
            assertEquals(2, versions.size());
            assertEquals(slow.sha256(), versions.get(0).get("sha256").asText(), "the last stored is the latest");
            assertEquals(fast.sha256(), versions.get(1).get("sha256").asText());
            assertEquals(2, b.keys().stream().filter(k -> k.contains("/snapshots/")).count());
            assertEquals(List.of(), b.openUploads());
        }
    }
}
