package dev.cellar.server.auth;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenant isolation, generated from the server's own route table: every registered route is called with no token, a
 * forged token, another tenant's token, the tenant's own token and the admin token. A route without a row in
 * {@link #ROWS} is a failing case, so a new endpoint cannot ship unclassified. Callers that may not act also must
 * not learn or change anything: their answer never names the tenant's data, and the tenant's state (snapshots,
 * restore requests, retention, machines) is the same before and after. The read-only metrics token
 * ({@code BACKUP_METRICS_TOKEN}) opens {@code GET /metrics} and nothing else.
 */
class AccessMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String T = "acme";
    private static final String TENANT = "/api/v1/tenants/" + T;
    private static final String DB = TENANT + "/databases/main/snapshots";
    private static final String RESTORE_DB = TENANT + "/databases/main/restores";
    private static final String RESTORES = TENANT + "/restores";
    private static final String METRICS_TOKEN = "metrics-scraper-0123456789";
    private static final String METRICS_ROUTE = "GET /metrics";
    /** The row per route: how to call it, and what the tenant's own token and the admin token get. */
    private static final Map<String, Row> ROWS = new LinkedHashMap<>();
    private static TestServer server;
    private static String own;
    private static String other;
    private static String firstVersion;
    private static byte[] image;
    private static int round;
    @TempDir
    static Path dir;

    /**
     * {@code page}: an admin web page, which knows only its session cookie: every bearer caller, admin included, gets
     * the same answer ({@code ownTenant}): a GET is sent to sign in, a POST is refused with an HTML page.
     */
    private record Row(Supplier<HttpRequest.Builder> request, int ownTenant, int admin, boolean open, boolean page) {
        boolean adminOnly() {
            return ownTenant == 403;
        }
    }

    static {
        open("GET /up", () -> at("/up"));
        row(METRICS_ROUTE, () -> at("/metrics"), 403, 200);
        open("GET /ready", () -> at("/ready"));
        open("GET /api/v1/openapi.json", () -> at("/api/v1/openapi.json"));
        row("POST /api/v1/tenants/{tenant}/tokens", () -> at(TENANT + "/tokens").POST(BodyPublishers.noBody()),
                403, 201);
        // another tenant's tokens: revoking acme's would invalidate the token every later case uses
        row("DELETE /api/v1/tenants/{tenant}/tokens", () -> at("/api/v1/tenants/globex-2/tokens").DELETE(), 403, 204);
        row("GET /api/v1/tenants", () -> at("/api/v1/tenants"), 403, 200);
        row("GET /api/v1/tenants/{tenant}", () -> at(TENANT), 200, 200);
        row("POST " + tpl(DB), () -> uploadRequest(), 201, 201);
        row("GET " + tpl(DB), () -> at(DB), 200, 200);
        row("GET " + tpl(DB) + "/{version}", () -> at(DB + "/" + firstVersion), 200, 200);
        row("HEAD " + tpl(DB) + "/{version}", () -> at(DB + "/latest").method("HEAD", BodyPublishers.noBody()),
                200, 200);
        row("DELETE " + tpl(DB) + "/{version}", () -> at(DB + "/" + upload()).DELETE(), 403, 204);
        row("POST /api/v1/tenants/{tenant}/heartbeats", () -> at(TENANT + "/heartbeats")
                .POST(BodyPublishers.ofString("{\"machineId\":\"m1\"}")), 200, 200);
        row("POST " + tpl(RESTORE_DB), () -> at(RESTORE_DB)
                .POST(BodyPublishers.ofString("{\"version\":\"latest\"}")), 403, 202);
        row("GET /api/v1/tenants/{tenant}/restores", () -> at(RESTORES + "?state=pending"), 200, 200);
        row("GET /api/v1/tenants/{tenant}/restores/{id}", () -> at(RESTORES + "/" + newRestore()), 200, 200);
        row("DELETE /api/v1/tenants/{tenant}/restores/{id}", () -> at(RESTORES + "/" + newRestore()).DELETE(),
                403, 200);
        row("POST /api/v1/tenants/{tenant}/restores/{id}/claim", () -> at(RESTORES + "/" + newRestore() + "/claim")
                .POST(BodyPublishers.ofString("{\"machineId\":\"m1\"}")), 200, 200);
        row("POST /api/v1/tenants/{tenant}/restores/{id}/result", () -> at(RESTORES + "/" + newRestore() + "/result")
                .POST(BodyPublishers.ofString("{\"machineId\":\"m1\",\"state\":\"completed\"}")), 200, 200);
        row("GET /api/v1/tenants/{tenant}/retention", () -> at(TENANT + "/retention"), 403, 200);
        row("PUT /api/v1/tenants/{tenant}/retention", () -> at(TENANT + "/retention").PUT(BodyPublishers.ofString(
                "{\"keepLast\":50,\"hourly\":0,\"daily\":7,\"weekly\":4,\"monthly\":0,\"yearly\":0}")), 403, 200);
        row("DELETE /api/v1/tenants/{tenant}/retention", () -> at(TENANT + "/retention").DELETE(), 403, 200);
        row("POST /api/v1/retention/run", () -> at("/api/v1/retention/run").POST(BodyPublishers.noBody()), 403, 200);
        row("POST /api/v1/drills/run", () -> at("/api/v1/drills/run").POST(BodyPublishers.noBody()), 403, 200);
        row("GET /api/v1/jobs", () -> at("/api/v1/jobs"), 403, 200);
        row("POST /api/v1/jobs/{name}/run", () -> at("/api/v1/jobs/stale/run").POST(BodyPublishers.noBody()),
                403, 200);
        String ui = "/ui/tenants/" + T + "/databases/main";
        String page = "/ui/tenants/{tenant}/databases/{database}";
        open("GET /ui/signin", () -> at("/ui/signin"));
        page("GET /", () -> at("/"), 303);
        page("GET " + page, () -> at(ui), 303);
        page("GET " + page + "/restore", () -> at(ui + "/restore?version=" + firstVersion), 303);
        page("GET " + page + "/snapshots/{version}/download", () -> at(ui + "/snapshots/" + firstVersion + "/download"),
                303);
        page("POST /ui/signin", () -> form("/ui/signin"), 403);
        page("POST /ui/signout", () -> form("/ui/signout"), 401);
        page("POST " + page + "/drill", () -> form(ui + "/drill"), 401);
        page("POST " + page + "/restores", () -> form(ui + "/restores"), 401);
        page("POST " + page + "/restores/{id}/cancel", () -> form(ui + "/restores/" + newRestore() + "/cancel"), 401);
        page("POST " + page + "/retention", () -> form(ui + "/retention"), 401);
    }

    private static void row(String route, Supplier<HttpRequest.Builder> request, int ownTenant, int admin) {
        ROWS.put(route, new Row(request, ownTenant, admin, false, false));
    }

    private static void open(String route, Supplier<HttpRequest.Builder> request) {
        ROWS.put(route, new Row(request, 200, 200, true, false));
    }

    private static void page(String route, Supplier<HttpRequest.Builder> request, int everyone) {
        ROWS.put(route, new Row(request, everyone, everyone, false, true));
    }

    private static HttpRequest.Builder form(String path) {
        return at(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("csrf=guess&version=" + firstVersion + "&machine=m-1"));
    }

    /** The route template of a concrete path of tenant acme's database main. */
    private static String tpl(String path) {
        return path.replace("/" + T + "/", "/{tenant}/").replace("/main/", "/{database}/");
    }

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("BACKUP_METRICS_TOKEN", METRICS_TOKEN));
        own = server.mintToken(T);
        other = server.mintToken("globex");
        image = Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 20, 1));
        firstVersion = upload();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    enum Who { NONE, FORGED, METRICS, OTHER_TENANT, OWN_TENANT, ADMIN }

    private static String token(Who who) {
        return switch (who) {
            case NONE -> null;
            case FORGED -> "cellar.acme.1.AAAAAAAAAAAAAAAAAAAAAAAA.forgedforgedforgedforgedforgedforgedforged0";
            case METRICS -> METRICS_TOKEN;
            case OTHER_TENANT -> other;
            case OWN_TENANT -> own;
            case ADMIN -> server.adminToken();
        };
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String route : server.routes()) {
            for (Who who : Who.values()) {
                cases.add(Arguments.of(route, who));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void eachCallerGetsExactlyWhatItMay(String route, Who who) throws Exception {
        Row row = ROWS.get(route);
        assertNotNull(row, "route " + route + " is not classified: add a row to AccessMatrixTest.ROWS");
        HttpRequest.Builder b = row.request().get();
        String token = token(who);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        int expected = expected(row, who);
        String before = expected >= 400 ? tenantState() : null;
        HttpResponse<byte[]> r = send(b.build());
        assertEquals(expected, r.statusCode(), route + " as " + who + ": " + text(r));
        if (expected < 400) {
            return;
        }
        if (r.body().length > 0 && !row.page()) { // HEAD answers carry no body; pages answer HTML
            String code = JSON.readTree(r.body()).get("error").asText();
            assertEquals(expected == 401 ? "unauthorized" : "forbidden", code);
            assertFalse(text(r).contains(firstVersion), "a refused answer names the tenant's snapshot");
        }
        assertEquals(before, tenantState(), "a refused call changed the tenant's state");
    }

    private static int expected(Row row, Who who) {
        if (row.open()) {
            return 200;
        }
        if (row.page()) {
            return row.ownTenant();
        }
        return switch (who) {
            case NONE, FORGED -> 401;
            case METRICS -> row == ROWS.get(METRICS_ROUTE) ? 200 : 401; // BACKUP_METRICS_TOKEN opens this only
            case OTHER_TENANT -> 403;
            case OWN_TENANT -> row.ownTenant();
            case ADMIN -> row.admin();
        };
    }

    @Test
    void everyRowNamesARegisteredRoute() {
        Set<String> stale = new HashSet<>(ROWS.keySet());
        server.routes().forEach(stale::remove);
        assertTrue(stale.isEmpty(), "rows for routes the server no longer has: " + stale);
    }

    @Test
    void aTenantTokenIsRefusedOnEveryAdminRouteAndTheTableHasSome() {
        long adminRoutes = server.routes().stream().map(ROWS::get).filter(r -> r != null && r.adminOnly()).count();
        assertTrue(adminRoutes >= 10, "expected the admin routes in the table, found " + adminRoutes);
    }

    /** What a refused caller must not change: acme's snapshots, restore requests, retention and machines. */
    private static String tenantState() {
        String admin = server.adminToken();
        StringBuilder s = new StringBuilder();
        for (String path : List.of(DB, RESTORES, TENANT + "/retention")) {
            s.append(text(send(request(server.baseUri(), path, admin).build()))).append('\n');
        }
        try {
            s.append(JSON.readTree(send(request(server.baseUri(), TENANT, admin).build()).body()).get("machines"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    private static HttpRequest.Builder at(String path) {
        return request(server.baseUri(), path, null);
    }

    /** An upload of a database that differs from every earlier one. */
    private static HttpRequest.Builder uploadRequest() {
        try {
            Path db = dir.resolve("v" + (++round) + ".sqlite3");
            Files.write(db, image);
            TestDatabases.addRows(db, 1, round);
            return at(DB).header("Content-Type", "application/vnd.sqlite3").POST(BodyPublishers.ofFile(db));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Uploads a new database with the tenant's token; returns its version. */
    private static String upload() {
        HttpResponse<byte[]> r = send(uploadRequest().header("Authorization", "Bearer " + own).build());
        assertEquals(201, r.statusCode(), text(r));
        try {
            return JSON.readTree(r.body()).get("version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh pending restore request, made with the admin token. */
    private static String newRestore() {
        HttpResponse<byte[]> r = send(request(server.baseUri(), RESTORE_DB, server.adminToken())
                .POST(BodyPublishers.ofString("{\"version\":\"latest\"}")).build());
        assertEquals(202, r.statusCode(), text(r));
        try {
            return JSON.readTree(r.body()).get("id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
