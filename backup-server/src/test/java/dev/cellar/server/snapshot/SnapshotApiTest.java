package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot API over real HTTP, on a server backed by S3 (S3Proxy), with real SQLite files. */
class SnapshotApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private String path(String tenant, String database) {
        return "/api/v1/tenants/" + tenant + "/databases/" + database + "/snapshots";
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static byte[] zstd(byte[] image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Zstd.compress(out, 3, 0)) {
            z.write(image);
        }
        return out.toByteArray();
    }

    static byte[] unzstd(byte[] body) throws IOException {
        try (InputStream in = Zstd.decompress(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    private HttpResponse<byte[]> upload(String tenant, String db, String token, String type, byte[] body) {
        return send(request(server.baseUri(), path(tenant, db), token).header("Content-Type", type)
                .header("Content-Digest", ContentDigest.sha256(Hex.sha256().digest(body)).headerValue())
                .POST(BodyPublishers.ofByteArray(body)).build());
    }

    private JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void roundTripOfARealDatabaseGivesBackTheSameBytesAndRows() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        Path db = TestDatabases.create(dir.resolve("app.sqlite3"), 2000, 1);
        byte[] image = Files.readAllBytes(db);
        byte[] body = zstd(image);

        HttpResponse<byte[]> created = upload(tenant, "app", token, "application/zstd", body);
        assertEquals(201, created.statusCode(), text(created));
        JsonNode s = json(created);
        String version = s.get("version").asText();
        assertEquals(path(tenant, "app") + "/" + version, created.headers().firstValue("Location").orElseThrow());
        assertEquals(Hex.of(Hex.sha256().digest(image)), s.get("sha256").asText());
        assertEquals(image.length, s.get("sizeBytes").asLong());
        assertEquals(body.length, s.get("storedBytes").asLong());
        assertFalse(s.get("unchanged").asBoolean());

        HttpResponse<byte[]> stored = send(request(server.baseUri(), path(tenant, "app") + "/" + version, token).build());
        assertEquals(200, stored.statusCode());
        assertEquals("application/zstd", stored.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(body, stored.body(), "the stored form is the body as sent");
        assertEquals("\"" + version + "\"", stored.headers().firstValue("ETag").orElseThrow());
        assertEquals(s.get("sha256").asText(), stored.headers().firstValue("X-Snapshot-Sha256").orElseThrow());

        HttpResponse<byte[]> plain = send(request(server.baseUri(), path(tenant, "app") + "/latest", token)
                .header("Accept", "application/vnd.sqlite3").build());
        assertEquals(200, plain.statusCode());
        assertEquals("application/vnd.sqlite3", plain.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(image, plain.body());
        Path restored = Files.write(dir.resolve("restored.sqlite3"), plain.body());
        assertEquals(TestDatabases.rows(db), TestDatabases.rows(restored));
    }

    @Test
    void gzipAndRawUploadsAreStoredAsZstdOfTheSameImage() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        Path db = TestDatabases.create(dir.resolve("a.sqlite3"), 300, 2);
        byte[] image = Files.readAllBytes(db);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(image);
        }
        HttpResponse<byte[]> r1 = upload(tenant, "gz", token, "application/gzip", gz.toByteArray());
        HttpResponse<byte[]> r2 = upload(tenant, "raw", token, "application/vnd.sqlite3", image);
        assertEquals(201, r1.statusCode(), text(r1));
        assertEquals(201, r2.statusCode(), text(r2));
        for (String database : List.of("gz", "raw")) {
            HttpResponse<byte[]> stored = send(request(server.baseUri(), path(tenant, database) + "/latest", token).build());
            assertArrayEquals(image, unzstd(stored.body()), database);
        }
    }

    @Test
    void uploadIdenticalToTheLatestStoresNothingAndSaysUnchanged() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        byte[] image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 50, 3));
        HttpResponse<byte[]> first = upload(tenant, "app", token, "application/zstd", zstd(image));
        HttpResponse<byte[]> again = upload(tenant, "app", token, "application/vnd.sqlite3", image);
        assertEquals(201, first.statusCode());
        assertEquals(200, again.statusCode(), text(again));
        assertTrue(json(again).get("unchanged").asBoolean());
        assertEquals(json(first).get("version"), json(again).get("version"));
        assertEquals(1, json(send(request(server.baseUri(), path(tenant, "app"), token).build())).get("snapshots").size());
    }

    @Test
    void listIsNewestFirstAndPagesWithLimitAndBefore() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        Path db = TestDatabases.create(dir.resolve("a.sqlite3"), 10, 4);
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestDatabases.addRows(db, 1, 100 + i);
            HttpResponse<byte[]> r = upload(tenant, "app", token, "application/vnd.sqlite3", Files.readAllBytes(db));
            assertEquals(201, r.statusCode());
            versions.add(0, json(r).get("version").asText());
        }
        List<String> seen = new ArrayList<>();
        String next = null;
        do {
            String query = "?limit=2" + (next == null ? "" : "&before=" + next);
            JsonNode page = json(send(request(server.baseUri(), path(tenant, "app") + query, token).build()));
            assertTrue(page.get("snapshots").size() <= 2);
            page.get("snapshots").forEach(s -> seen.add(s.get("version").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
        } while (next != null);
        assertEquals(versions, seen);
    }

    @Test
    void latestAtAnInstantIsTheNewestSnapshotAtOrBeforeIt() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        Path db = TestDatabases.create(dir.resolve("a.sqlite3"), 10, 5);
        JsonNode older = json(upload(tenant, "app", token, "application/vnd.sqlite3", Files.readAllBytes(db)));
        Thread.sleep(5); // versions carry milliseconds: make the two instants differ
        TestDatabases.addRows(db, 1, 6);
        JsonNode newer = json(upload(tenant, "app", token, "application/vnd.sqlite3", Files.readAllBytes(db)));
        Instant olderAt = Instant.parse(older.get("createdAt").asText());
        Instant newerAt = Instant.parse(newer.get("createdAt").asText());

        assertEquals(older.get("version").asText(), atVersion(tenant, token, olderAt));
        assertEquals(older.get("version").asText(), atVersion(tenant, token, newerAt.minusMillis(1)));
        assertEquals(newer.get("version").asText(), atVersion(tenant, token, newerAt));
        assertEquals(newer.get("version").asText(), atVersion(tenant, token, newerAt.plusSeconds(3600)));
        HttpResponse<byte[]> before = send(request(server.baseUri(),
                path(tenant, "app") + "/latest?at=" + olderAt.minusMillis(1), token).build());
        assertEquals(404, before.statusCode());
        assertEquals("not_found", json(before).get("error").asText());
    }

    private String atVersion(String tenant, String token, Instant at) {
        HttpResponse<byte[]> r = send(request(server.baseUri(), path(tenant, "app") + "/latest?at=" + at, token)
                .method("HEAD", BodyPublishers.noBody()).build());
        assertEquals(200, r.statusCode());
        return r.headers().firstValue("X-Snapshot-Version").orElseThrow();
    }

    @Test
    void headGivesTheHeadersOfGetWithoutABody() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        byte[] body = zstd(Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 100, 7)));
        upload(tenant, "app", token, "application/zstd", body);
        HttpResponse<byte[]> head = send(request(server.baseUri(), path(tenant, "app") + "/latest", token)
                .method("HEAD", BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(Long.toString(body.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", head.headers().firstValue("Accept-Ranges").orElseThrow());
    }

    @Test
    void rangeOnTheStoredFormResumesADownload() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        byte[] body = zstd(Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 3000, 8)));
        upload(tenant, "app", token, "application/zstd", body);
        int cut = body.length / 3;
        HttpResponse<byte[]> rest = send(request(server.baseUri(), path(tenant, "app") + "/latest", token)
                .header("Range", "bytes=" + cut + "-").build());
        assertEquals(206, rest.statusCode());
        assertEquals("bytes " + cut + "-" + (body.length - 1) + "/" + body.length,
                rest.headers().firstValue("Content-Range").orElseThrow());
        byte[] joined = new byte[body.length];
        System.arraycopy(body, 0, joined, 0, cut);
        System.arraycopy(rest.body(), 0, joined, cut, rest.body().length);
        assertArrayEquals(body, joined);

        HttpResponse<byte[]> middle = send(request(server.baseUri(), path(tenant, "app") + "/latest", token)
                .header("Range", "bytes=10-19").build());
        assertEquals(206, middle.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(body, 10, 20), middle.body());

        HttpResponse<byte[]> past = send(request(server.baseUri(), path(tenant, "app") + "/latest", token)
                .header("Range", "bytes=" + body.length + "-").build());
        assertEquals(416, past.statusCode());
        assertEquals("bytes */" + body.length, past.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void adminDeletesAVersionAndItIsGone() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        String version = json(upload(tenant, "app", token, "application/vnd.sqlite3",
                Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 9)))).get("version").asText();
        String url = path(tenant, "app") + "/" + version;
        assertEquals(403, send(request(server.baseUri(), url, token).DELETE().build()).statusCode());
        assertEquals(204, send(request(server.baseUri(), url, server.adminToken()).DELETE().build()).statusCode());
        assertEquals(404, send(request(server.baseUri(), url, token).build()).statusCode());
        assertEquals(404, send(request(server.baseUri(), url, server.adminToken()).DELETE().build()).statusCode());
        JsonNode list = json(send(request(server.baseUri(), path(tenant, "app"), token).build()));
        assertEquals(0, list.get("snapshots").size());
        assertNull(list.get("next").textValue());
    }

    @Test
    void tenantOverviewShowsDatabasesAndTheirLatestSnapshot() throws Exception {
        String tenant = tenant();
        String token = server.mintToken(tenant);
        JsonNode before = json(send(request(server.baseUri(), "/api/v1/tenants/" + tenant, token).build()));
        assertEquals("never", before.get("status").asText());
        String version = json(upload(tenant, "main", token, "application/vnd.sqlite3",
                Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 10, 10)))).get("version").asText();
        JsonNode one = json(send(request(server.baseUri(), "/api/v1/tenants/" + tenant, token).build()));
        assertEquals("ok", one.get("status").asText());
        assertEquals("main", one.get("databases").get(0).get("database").asText());
        assertEquals(version, one.get("databases").get(0).get("latest").get("version").asText());
        JsonNode all = json(send(request(server.baseUri(), "/api/v1/tenants", server.adminToken()).build()));
        List<String> names = new ArrayList<>();
        all.get("tenants").forEach(t -> names.add(t.get("tenant").asText()));
        assertTrue(names.contains(tenant), names.toString());
    }
}
