package dev.cellar.server.snapshot;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bad-input corpus of downloads and of credentials, over real HTTP: {@code Range} headers, version strings and
 * {@code Authorization} headers that are malformed, hostile or out of bounds. Each gets the whole object, the
 * part asked for, or a 4xx with a JSON error naming the problem; never a 500.
 */
class BadDownloadRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "/api/v1/tenants/acme/databases/main/snapshots";
    private static TestServer server;
    private static String token;
    private static byte[] stored;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        token = server.mintToken("acme");
        Path db = TestDatabases.create(dir.resolve("a.sqlite3"), 50, 1);
        HttpResponse<byte[]> up = send(request(server.baseUri(), DB, token)
                .header("Content-Type", "application/vnd.sqlite3")
                .POST(HttpRequest.BodyPublishers.ofFile(db)).build());
        assertEquals(201, up.statusCode(), text(up));
        stored = send(request(server.baseUri(), DB + "/latest", token).build()).body();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> latestWithRange(String range) {
        return send(request(server.baseUri(), DB + "/latest", token).header("Range", range).build());
    }

    /** Nonsense, several ranges or numbers beyond any long: the whole object, as RFC 9110 allows. */
    @ParameterizedTest
    @ValueSource(strings = {"bytes", "bytes=", "bytes=-", "bytes=a-b", "items=0-1", "bytes=0-1,5-9", "bytes=5-1",
            "bytes=99999999999999999999-", "bytes=-99999999999999999999", "bytes=0x10-", "bytes=+1-2",
            "bytes=0-1;x", "BYTES=0-1"})
    void aMalformedRangeGetsTheWholeObject(String range) {
        HttpResponse<byte[]> r = latestWithRange(range);
        assertEquals(200, r.statusCode(), range + ": " + text(r));
        assertArrayEquals(stored, r.body());
    }

    @ParameterizedTest
    @CsvSource({"bytes=0-0, 0, 0", "bytes=-1, -1, -1", "bytes=1-, 1, -1", "bytes=0-9999999999, 0, -1",
            "bytes = 2 - 3 , 2, 3"})
    void aRangeInsideTheObjectGetsExactlyThoseBytes(String range, long first, long last) {
        long end = last < 0 ? stored.length - 1 : last;
        long start = first < 0 ? stored.length - 1 : first;
        HttpResponse<byte[]> r = latestWithRange(range);
        assertEquals(206, r.statusCode(), range + ": " + text(r));
        assertEquals("bytes " + start + "-" + end + "/" + stored.length,
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(stored, (int) start, (int) end + 1), r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=-0", "bytes=%d-", "bytes=%d-%d", "bytes=9223372036854775807-"})
    void aRangePastTheEndIs416WithTheSize(String template) throws Exception {
        HttpResponse<byte[]> r = latestWithRange(String.format(template, stored.length, stored.length + 5));
        assertError(r, 416, "range_not_satisfiable");
        assertEquals("bytes */" + stored.length, r.headers().firstValue("Content-Range").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest2", "LATEST", "20261301T000000000Z-0123abcd", "20260230T120000000Z-0123abcd",
            "20261201T240000000Z-0123abcd", "20261201T000000000Z-0123ABCD", "20261201T000000000z-0123abcd",
            "20261201T000000000Z-0123abcd0", "%2E%2E", "x%0D%0ASet-Cookie:a=b"})
    void aMalformedVersionIs400(String version) throws Exception {
        assertError(send(request(server.baseUri(), DB + "/" + version, token).build()), 400, "invalid_version");
    }

    /** Paths the HTTP layer refuses before any route (an encoded NUL) still answer the JSON shape. */
    @ParameterizedTest
    @ValueSource(strings = {"latest%00", "%00", "a%00b"})
    void aPathTheHttpLayerRefusesIs400WithAJsonBody(String version) throws Exception {
        assertError(send(request(server.baseUri(), DB + "/" + version, token).build()), 400, "bad_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"20261201T000000000Z-0123abcd", "29991231T235959999Z-ffffffff"})
    void aWellFormedVersionThatDoesNotExistIs404(String version) throws Exception {
        assertError(send(request(server.baseUri(), DB + "/" + version, token).build()), 404, "not_found");
    }

    /** Credentials in every wrong shape: a 401 with a JSON body, never a 500, never access. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token %s", "Bearer %s.",
            "Bearer %sx", "Bearer x%s", "Bearer %s %s", "Bearer %s,%s", "Bearer cellar.acme.1.a.b",
            "Bearer cellar.acme.999999999999999999999.a.b", "Bearer cellar..1.a.b", "Bearer cellar.ACME\u00e9.1.a.b",
            "Bearer .....", "Bearer cellar.acme.1.a.b.c.d", "Bearer \u0000"})
    void aMalformedAuthorizationIs401(String template) throws Exception {
        String header = String.format(template, token, token);
        HttpRequest.Builder b = request(server.baseUri(), DB, null);
        HttpResponse<byte[]> r;
        try {
            r = send(b.header("Authorization", header).build());
        } catch (IllegalArgumentException e) {
            return; // a header the client itself refuses to send cannot reach the server
        }
        assertError(r, 401, "unauthorized");
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), text(r));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), text(r));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(code, body.get("error").asText(), text(r));
        assertTrue(body.get("message").asText().length() > 5, "the message explains the problem");
    }
}
