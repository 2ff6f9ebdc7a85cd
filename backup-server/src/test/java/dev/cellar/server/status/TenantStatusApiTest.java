package dev.cellar.server.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status the tenant views show, over HTTP: two instances share a bucket, one of them with a one-second
 * {@code BACKUP_STALE_AFTER}; waiting past it can only make a database staler, so nothing here depends on speed.
 */
class TenantStatusApiTest {
    @TempDir
    Path dir;

    @Test
    void theOverviewShowsOkThenStaleWithItsReasonAndAnUnchangedUploadMovesTheLastBackup() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer normal = TestServer.startOn(s3, Map.of());
             TestServer impatient = TestServer.startOn(s3, Map.of("BACKUP_STALE_AFTER", "1",
                     "BACKUP_TOKEN_SECRET", normal.env().get("BACKUP_TOKEN_SECRET"),
                     "BACKUP_ADMIN_TOKEN", normal.adminToken()))) {
            Api api = new Api(normal);
            String token = normal.mintToken("acme");
            Path image = TestDatabases.create(dir.resolve("app.sqlite3"), 10, 1);
            assertEquals(201, upload(normal, token, image).statusCode());

            JsonNode ok = api.expect(200, "GET", "/api/v1/tenants/acme", normal.adminToken(), null);
            assertEquals("ok", ok.get("status").asText());
            JsonNode db = ok.get("databases").get(0);
            assertEquals("ok", db.get("status").asText());
            assertEquals(db.get("latest").get("createdAt"), db.get("lastBackupAt"));
            assertTrue(db.get("reason").isNull());

            Thread.sleep(1500);
            Api late = new Api(impatient);
            JsonNode stale = late.expect(200, "GET", "/api/v1/tenants/acme", token, null);
            assertEquals("stale", stale.get("status").asText());
            JsonNode staleDb = stale.get("databases").get(0);
            assertEquals("stale", staleDb.get("status").asText());
            assertTrue(staleDb.get("reason").asText().startsWith("last backup at "
                    + db.get("lastBackupAt").asText() + ", "), staleDb.toString());
            assertTrue(staleDb.get("reason").asText().endsWith("(BACKUP_STALE_AFTER)"), staleDb.toString());
            JsonNode listed = late.expect(200, "GET", "/api/v1/tenants", normal.adminToken(), null);
            assertEquals("stale", listed.get("tenants").get(0).get("status").asText());

            HttpResponse<byte[]> unchanged = upload(normal, token, image);
            assertEquals(200, unchanged.statusCode(), Http.text(unchanged));
            JsonNode again = api.expect(200, "GET", "/api/v1/tenants/acme", token, null).get("databases").get(0);
            assertTrue(Instant.parse(again.get("lastBackupAt").asText())
                    .isAfter(Instant.parse(db.get("lastBackupAt").asText())), again.toString());
            assertEquals(db.get("latest"), again.get("latest"), "no new snapshot");
        }
    }

    private static HttpResponse<byte[]> upload(TestServer server, String token, Path image) {
        try {
            return Http.send(Http.request(server.baseUri(), "/api/v1/tenants/acme/databases/app/snapshots", token)
                    .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(image)).build());
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
