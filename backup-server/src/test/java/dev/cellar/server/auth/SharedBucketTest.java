package dev.cellar.server.auth;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Object storage is the source of truth: instances that share a bucket and secrets share everything. */
class SharedBucketTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "/api/v1/tenants/acme/databases/main/snapshots";
    @TempDir
    Path dir;

    @Test
    void secondInstanceWithEmptyDataDirServesEverySnapshotAndHonoursTokensAndRevocations() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer a = TestServer.startOn(s3, Map.of())) {
            Map<String, String> sameSecrets = new HashMap<>();
            sameSecrets.put("BACKUP_ADMIN_TOKEN", a.adminToken());
            sameSecrets.put("BACKUP_TOKEN_SECRET", a.env().get("BACKUP_TOKEN_SECRET"));
            String token = a.mintToken("acme");
            Path db = TestDatabases.create(dir.resolve("main.sqlite3"), 100, 1);
            HttpResponse<byte[]> first = send(request(a.baseUri(), DB, token)
                    .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(db)).build());
            TestDatabases.addRows(db, 5, 2);
            HttpResponse<byte[]> second = send(request(a.baseUri(), DB, token)
                    .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(db)).build());
            assertEquals(201, first.statusCode(), text(first));
            assertEquals(201, second.statusCode(), text(second));

            try (TestServer b = TestServer.startOn(s3, sameSecrets)) {
                JsonNode list = JSON.readTree(send(request(b.baseUri(), DB, token).build()).body());
                assertEquals(2, list.get("snapshots").size());
                assertEquals(JSON.readTree(second.body()).get("version"), list.get("snapshots").get(0).get("version"));
                HttpResponse<byte[]> plain = send(request(b.baseUri(), DB + "/latest", token)
                        .header("Accept", "application/vnd.sqlite3").build());
                assertArrayEquals(Files.readAllBytes(db), plain.body());

                HttpResponse<byte[]> revoke = send(request(b.baseUri(), "/api/v1/tenants/acme/tokens", b.adminToken())
                        .DELETE().build());
                assertEquals(204, revoke.statusCode());
                assertEquals(401, send(request(a.baseUri(), DB, token).build()).statusCode(),
                        "the revocation made on B reaches A");
                String fresh = b.mintToken("acme");
                assertEquals(200, send(request(a.baseUri(), DB, fresh).build()).statusCode(),
                        "a token minted on B works on A");
            }
        }
    }

    @Test
    void restoreRequestsAndMachinesAreSharedAndClaimedOnceAcrossInstances() {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer a = TestServer.startOn(s3, Map.of())) {
            Map<String, String> sameSecrets = Map.of("BACKUP_ADMIN_TOKEN", a.adminToken(),
                    "BACKUP_TOKEN_SECRET", a.env().get("BACKUP_TOKEN_SECRET"));
            try (TestServer b = TestServer.startOn(s3, sameSecrets)) {
                Api onA = new Api(a);
                Api onB = new Api(b);
                String token = a.mintToken("acme");
                onA.upload("acme", "main", token, "m-1", dir, 5, 1);
                String id = onA.expect(202, "POST", "/api/v1/tenants/acme/databases/main/restores", a.adminToken(),
                        "{\"version\":\"latest\"}").get("id").asText();
                JsonNode offered = onB.expect(200, "POST", "/api/v1/tenants/acme/heartbeats", token,
                        "{\"machineId\":\"m-2\"}").get("restores");
                assertEquals(id, offered.get(0).get("id").asText(), "B offers the request made on A");
                onB.expect(200, "POST", "/api/v1/tenants/acme/restores/" + id + "/claim", token,
                        "{\"machineId\":\"m-2\"}");
                assertEquals("already_claimed", onA.expect(409, "POST", "/api/v1/tenants/acme/restores/" + id
                        + "/claim", token, "{\"machineId\":\"m-3\"}").get("error").asText());
                JsonNode machines = onA.expect(200, "GET", "/api/v1/tenants/acme", a.adminToken(), null)
                        .get("machines");
                assertEquals(2, machines.size(), "A shows the heartbeat B received and the upload A received");
            }
        }
    }

    @Test
    void tokenFromAnotherSecretIsRefused() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer a = TestServer.startOn(s3, Map.of());
             TestServer b = TestServer.startOn(s3, Map.of())) {
            String fromA = a.mintToken("acme");
            HttpResponse<byte[]> r = send(request(b.baseUri(), DB, fromA).build());
            assertEquals(401, r.statusCode(), text(r));
        }
    }
}
