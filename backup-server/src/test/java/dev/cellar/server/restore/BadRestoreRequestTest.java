package dev.cellar.server.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed restore request, claim, report and heartbeat gets a 4xx with a JSON body naming the problem, and
 * leaves no request behind.
 */
class BadRestoreRequestTest {
    private static final String T = "acme";
    private static final String CREATE = "/api/v1/tenants/" + T + "/databases/app/restores";
    private static final String RESTORES = "/api/v1/tenants/" + T + "/restores";
    private static TestServer server;
    private static Api api;
    private static String token;
    private static String pending;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new Api(server);
        token = server.mintToken(T);
        api.upload(T, "app", token, "m-a", dir, 5, 1);
        pending = api.expect(202, "POST", CREATE, server.adminToken(), "{\"version\":\"latest\"}").get("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> creates() {
        return Stream.of(
                Arguments.of("{\"version\":\"yesterday\"}", 400, "invalid_version"),
                Arguments.of("{\"version\":\"20260230T000000000Z-00000000\"}", 400, "invalid_version"),
                Arguments.of("{\"version\":\"20200101T000000000Z-0badf00d\"}", 404, "not_found"),
                Arguments.of("{}", 400, "invalid_json"),
                Arguments.of("", 400, "invalid_json"),
                Arguments.of("{\"version\":7}", 400, "invalid_json"),
                Arguments.of("{\"version\":\"latest\"", 400, "invalid_json"),
                Arguments.of("[\"latest\"]", 400, "invalid_json"),
                Arguments.of("{\"version\":\"latest\",\"machineID\":\"m-b\"}", 400, "invalid_json"),
                Arguments.of("{\"version\":\"latest\",\"machineId\":\"../m\"}", 400, "invalid_name"),
                Arguments.of("{\"version\":\"latest\",\"onlyIfMissing\":\"yes\"}", 400, "invalid_json"),
                Arguments.of("{\"version\":\"latest\",\"pad\":\"" + "x".repeat(70_000) + "\"}", 413, "too_large"));
    }

    @ParameterizedTest(name = "create {index}: {2}")
    @MethodSource("creates")
    void badCreatesAreRefusedAndStoreNothing(String body, int status, String code) {
        assertRefused(api.call("POST", CREATE, server.adminToken(), body), status, code);
        assertEquals(1, api.expect(200, "GET", RESTORES, server.adminToken(), null).get("restores").size());
    }

    @Test
    void aDatabaseWithoutSnapshotsHasNothingToRestore() {
        assertRefused(api.call("POST", "/api/v1/tenants/" + T + "/databases/empty/restores", server.adminToken(),
                "{\"version\":\"latest\"}"), 404, "not_found");
    }

    static Stream<Arguments> reports() {
        return Stream.of(
                Arguments.of("/claim", "{}", 400, "invalid_json"),
                Arguments.of("/claim", "{\"machineId\":\"a b\"}", 400, "invalid_name"),
                Arguments.of("/result", "{\"machineId\":\"m-a\",\"state\":\"done\"}", 400, "invalid_state"),
                Arguments.of("/result", "{\"machineId\":\"m-a\"}", 400, "invalid_json"),
                Arguments.of("/result", "{\"state\":\"completed\"}", 400, "invalid_json"),
                Arguments.of("/result", "{\"machineId\":\"m-a\",\"state\":\"completed\",\"message\":\""
                        + "x".repeat(2001) + "\"}", 400, "invalid_json"));
    }

    @ParameterizedTest(name = "report {index}: {0} {3}")
    @MethodSource("reports")
    void badClaimsAndReportsLeaveTheRequestPending(String action, String body, int status, String code) {
        assertRefused(api.call("POST", RESTORES + "/" + pending + action, token, body), status, code);
        assertEquals("pending", api.expect(200, "GET", RESTORES + "/" + pending, token, null)
                .get("state").asText());
    }

    @Test
    void idsAreCheckedBeforeAnyLookup() {
        assertRefused(api.call("GET", RESTORES + "/nope", token, null), 400, "invalid_id");
        assertRefused(api.call("POST", RESTORES + "/..%2Fx/claim", token, "{\"machineId\":\"m\"}"), 400, "invalid_id");
        assertRefused(api.call("GET", RESTORES + "/r20200101T000000000Z-abcdef", token, null), 404, "not_found");
        assertRefused(api.call("DELETE", RESTORES + "/r20200101T000000000Z-abcdef", server.adminToken(), null),
                404, "not_found");
        assertRefused(api.call("GET", RESTORES + "?state=done", token, null), 400, "invalid_state");
    }

    static Stream<Arguments> heartbeats() {
        return Stream.of(
                Arguments.of("{}", "invalid_json"),
                Arguments.of("{\"machineId\":\"m/1\"}", "invalid_name"),
                Arguments.of("{\"machineId\":\"m1\",\"region\":\"a m s\"}", "invalid_json"),
                Arguments.of("{\"machineId\":\"m1\",\"agentVersion\":\"\"}", "invalid_json"),
                Arguments.of("{\"machineId\":\"m1\",\"databases\":\"app\"}", "invalid_json"),
                Arguments.of("{\"machineId\":\"m1\",\"databases\":[\"a/b\"]}", "invalid_name"),
                Arguments.of("{\"machineId\":\"m1\",\"uptime\":3}", "invalid_json"));
    }

    @ParameterizedTest(name = "heartbeat {index}: {1}")
    @MethodSource("heartbeats")
    void badHeartbeatsAreRefusedAndRecordNoMachine(String body, String code) {
        assertRefused(api.call("POST", "/api/v1/tenants/" + T + "/heartbeats", token, body), 400, code);
        JsonNode machines = api.expect(200, "GET", "/api/v1/tenants/" + T, token, null).get("machines");
        machines.forEach(m -> assertTrue(m.get("lastSeenAt").isNull(), "no heartbeat was recorded: " + m));
    }

    private static void assertRefused(HttpResponse<byte[]> r, int status, String code) {
        assertEquals(status, r.statusCode(), new String(r.body()));
        JsonNode body = Api.json(r);
        assertEquals(code, body.get("error").asText());
        assertTrue(body.get("message").asText().length() > 5, "a message for people");
    }
}
