package dev.cellar.server.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code GET/PUT/DELETE /api/v1/tenants/{t}/retention} over real HTTP, a server over S3 (S3Proxy). */
class RetentionPolicyApiTest {
    private static final String GOOD =
            "{\"keepLast\":3,\"hourly\":0,\"daily\":2,\"weekly\":1,\"monthly\":0,\"yearly\":4}";
    private static S3ProxyFixture s3;
    private static TestServer server;
    private static Api api;
    private String tenant;
    private String path;

    @BeforeAll
    static void start() {
        s3 = S3ProxyFixture.start();
        server = TestServer.startOn(s3, Map.of("BACKUP_RETENTION_KEEP_LAST", "10", "BACKUP_RETENTION_YEARLY", "2"));
        api = new Api(server);
    }

    @AfterAll
    static void stop() {
        server.close();
        s3.close();
    }

    @BeforeEach
    void tenant() {
        tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        path = "/api/v1/tenants/" + tenant + "/retention";
    }

    @Test
    void aTenantWithoutItsOwnPolicyHasTheServerDefaultFromTheEnvironment() {
        JsonNode r = api.expect(200, "GET", path, server.adminToken(), null);
        assertEquals("default", r.get("source").asText());
        assertEquals(10, r.get("policy").get("keepLast").asInt());
        assertEquals(7, r.get("policy").get("daily").asInt());
        assertEquals(2, r.get("policy").get("yearly").asInt());
    }

    @Test
    void aPolicyIsStoredInTheBucketSoAFreshServerHasItAndDeleteRestoresTheDefault() {
        JsonNode put = api.expect(200, "PUT", path, server.adminToken(), GOOD);
        assertEquals("tenant", put.get("source").asText());
        try (TestServer fresh = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", server.adminToken(),
                "BACKUP_TOKEN_SECRET", server.env().get("BACKUP_TOKEN_SECRET")))) {
            JsonNode got = new Api(fresh).expect(200, "GET", path, server.adminToken(), null);
            assertEquals("tenant", got.get("source").asText());
            assertEquals(3, got.get("policy").get("keepLast").asInt());
            assertEquals(4, got.get("policy").get("yearly").asInt());
        }
        assertEquals("default", api.expect(200, "DELETE", path, server.adminToken(), null).get("source").asText());
        assertEquals("default", api.expect(200, "GET", path, server.adminToken(), null).get("source").asText());
    }

    @Test
    void aTenantTokenIsRefusedEvenForItsOwnPolicy() {
        String token = server.mintToken(tenant);
        api.expect(403, "GET", path, token, null);
        api.expect(403, "PUT", path, token, GOOD);
        api.expect(403, "POST", "/api/v1/retention/run?tenant=" + tenant, token, null);
        api.expect(401, "GET", path, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"keepLast\":-1,\"hourly\":0,\"daily\":0,\"weekly\":0,\"monthly\":0,\"yearly\":0} | 'keepLast'",
        "{\"keepLast\":1,\"hourly\":1.5,\"daily\":0,\"weekly\":0,\"monthly\":0,\"yearly\":0} | 'hourly'",
        "{\"keepLast\":1,\"hourly\":0,\"daily\":\"7\",\"weekly\":0,\"monthly\":0,\"yearly\":0} | 'daily'",
        "{\"keepLast\":1,\"hourly\":0,\"daily\":0,\"weekly\":true,\"monthly\":0,\"yearly\":0} | 'weekly'",
        "{\"keepLast\":1,\"hourly\":0,\"daily\":0,\"weekly\":0,\"monthly\":99999999999,\"yearly\":0} | 'monthly'",
        "{\"keepLast\":1,\"hourly\":0,\"daily\":0,\"weekly\":0,\"monthly\":0} | 'yearly' is required",
        "{\"keepLast\":1,\"hourly\":0,\"daily\":0,\"weekly\":0,\"monthly\":0,\"yearly\":0,\"dayly\":3} | 'dayly'",
        "{\"keepLast\":1, | not valid JSON",
        "[1,2] | JSON object",
    })
    void badBodiesAre400NamingTheProblemAndChangeNothing(String body, String named) {
        JsonNode r = api.expect(400, "PUT", path, server.adminToken(), body);
        assertEquals("invalid_json", r.get("error").asText());
        assertTrue(r.get("message").asText().contains(named), r.toString());
        assertEquals("default", api.expect(200, "GET", path, server.adminToken(), null).get("source").asText());
    }

    @Test
    void badQueryParametersOfARunAre400() {
        assertEquals("invalid_parameter", api.expect(400, "POST", "/api/v1/retention/run?dryRun=yes",
                server.adminToken(), null).get("error").asText());
        assertEquals("invalid_name", api.expect(400, "POST", "/api/v1/retention/run?tenant=a%2Fb",
                server.adminToken(), null).get("error").asText());
        assertEquals("invalid_name", api.expect(400, "POST", "/api/v1/drills/run?tenant=..",
                server.adminToken(), null).get("error").asText());
    }
}
