package dev.cellar.server.auth;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenant isolation: every endpoint called with no token, a bad token, another tenant's token, the tenant's own
 * token and the admin token. Each cell of the matrix is one case.
 */
class AccessMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String T = "acme";
    private static final String DB = "/api/v1/tenants/" + T + "/databases/main/snapshots";
    private static final String RESTORE_DB = "/api/v1/tenants/" + T + "/databases/main/restores";
    private static final String RESTORES = "/api/v1/tenants/" + T + "/restores";
    private static TestServer server;
    private static String own;
    private static String other;
    private static byte[] image;
    private static int round;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        own = server.mintToken(T);
        other = server.mintToken("globex");
        image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 20, 1));
        upload(own);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Uploads a database that differs from every earlier one; returns its version. */
    private static String upload(String token) throws Exception {
        Path db = dir.resolve("v" + (++round) + ".sqlite3");
        Files.write(db, image);
        TestDatabases.addRows(db, 1, round);
        HttpResponse<byte[]> r = send(request(server.baseUri(), DB, token)
                .header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(db)).build());
        assertEquals(201, r.statusCode(), text(r));
        return JSON.readTree(r.body()).get("version").asText();
    }

    private static String latestVersion() throws Exception {
        return JSON.readTree(send(request(server.baseUri(), DB, own).build()).body())
                .get("snapshots").get(0).get("version").asText();
    }

    enum Who { NONE, BAD, OTHER_TENANT, OWN_TENANT, ADMIN }

    private static String token(Who who) {
        return switch (who) {
            case NONE -> null;
            case BAD -> "cellar.acme.0.AAAAAAAAAAAAAAAAAAAAAAAA.forgedforgedforgedforgedforgedforgedforged0";
            case OTHER_TENANT -> other;
            case OWN_TENANT -> own;
            case ADMIN -> server.adminToken();
        };
    }

    /** An endpoint and the status each caller gets. */
    private record Endpoint(String name, Supplier<HttpRequest.Builder> request, int none, int bad, int other,
                            int ownTenant, int admin) {
        int expected(Who who) {
            return switch (who) {
                case NONE -> none;
                case BAD -> bad;
                case OTHER_TENANT -> other;
                case OWN_TENANT -> ownTenant;
                case ADMIN -> admin;
            };
        }
    }

    private static BodyPublisher json(String body) {
        return BodyPublishers.ofString(body);
    }

    /** A fresh pending restore request, made with the admin token. */
    private static String newRestore() {
        HttpResponse<byte[]> r = send(request(server.baseUri(), RESTORE_DB, server.adminToken())
                .POST(json("{\"version\":\"latest\"}")).build());
        assertEquals(202, r.statusCode(), text(r));
        try {
            return JSON.readTree(r.body()).get("id").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest.Builder at(String path) {
        return request(server.baseUri(), path, null);
    }

    static Stream<Arguments> matrix() {
        List<Endpoint> endpoints = List.of(
                new Endpoint("mint token", () -> at("/api/v1/tenants/" + T + "/tokens")
                        .POST(BodyPublishers.noBody()), 401, 401, 403, 403, 201),
                new Endpoint("list tenants", () -> at("/api/v1/tenants"), 401, 401, 403, 403, 200),
                new Endpoint("show tenant", () -> at("/api/v1/tenants/" + T), 401, 401, 403, 200, 200),
                new Endpoint("upload", () -> {
                    Path db = dir.resolve("m" + (++round) + ".sqlite3");
                    try {
                        Files.write(db, image);
                        TestDatabases.addRows(db, 1, 1000 + round);
                        return at(DB).header("Content-Type", "application/vnd.sqlite3")
                                .POST(BodyPublishers.ofFile(db));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 401, 401, 403, 201, 201),
                new Endpoint("list", () -> at(DB), 401, 401, 403, 200, 200),
                new Endpoint("download latest", () -> at(DB + "/latest"), 401, 401, 403, 200, 200),
                new Endpoint("head latest", () -> at(DB + "/latest").method("HEAD", BodyPublishers.noBody()),
                        401, 401, 403, 200, 200),
                new Endpoint("download version", () -> {
                    try {
                        return at(DB + "/" + latestVersion());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 401, 401, 403, 200, 200),
                new Endpoint("delete version", () -> {
                    try {
                        return at(DB + "/" + upload(own)).DELETE();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 401, 401, 403, 403, 204),
                new Endpoint("heartbeat", () -> at("/api/v1/tenants/" + T + "/heartbeats")
                        .POST(json("{\"machineId\":\"m1\"}")), 401, 401, 403, 200, 200),
                new Endpoint("request restore", () -> at(RESTORE_DB).POST(json("{\"version\":\"latest\"}")),
                        401, 401, 403, 403, 202),
                new Endpoint("list restores", () -> at(RESTORES + "?state=pending"), 401, 401, 403, 200, 200),
                new Endpoint("show restore", () -> at(RESTORES + "/" + newRestore()), 401, 401, 403, 200, 200),
                new Endpoint("claim restore", () -> at(RESTORES + "/" + newRestore() + "/claim")
                        .POST(json("{\"machineId\":\"m1\"}")), 401, 401, 403, 200, 200),
                new Endpoint("report restore", () -> at(RESTORES + "/" + newRestore() + "/result")
                        .POST(json("{\"machineId\":\"m1\",\"state\":\"completed\"}")), 401, 401, 403, 200, 200),
                new Endpoint("cancel restore", () -> at(RESTORES + "/" + newRestore()).DELETE(),
                        401, 401, 403, 403, 200),
                // last: revoking invalidates the tenant's token for everything after it
                new Endpoint("revoke tokens", () -> at("/api/v1/tenants/globex-2/tokens").DELETE(),
                        401, 401, 403, 403, 204));
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : endpoints) {
            for (Who who : Who.values()) {
                cases.add(Arguments.of(e.name(), who, e));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void eachCallerGetsExactlyWhatItMay(String name, Who who, Endpoint endpoint) throws Exception {
        HttpRequest.Builder b = endpoint.request().get();
        String token = token(who);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = send(b.build());
        assertEquals(endpoint.expected(who), r.statusCode(), name + " as " + who + ": " + text(r));
        if (r.statusCode() >= 400 && r.body().length > 0) { // HEAD answers carry no body
            String code = JSON.readTree(r.body()).get("error").asText();
            assertEquals(r.statusCode() == 401 ? "unauthorized" : "forbidden", code);
        }
    }
}
