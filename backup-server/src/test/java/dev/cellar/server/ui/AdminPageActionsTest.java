package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database view's actions over plain HTTP, each checked through the JSON API it shares its services with.
 * One server for the class; every test has tenants of its own.
 */
class AdminPageActionsTest {
    private static final String HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
    private static TestServer server;
    private static Api api;
    private static PageClient page;
    private static String session;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new Api(server);
        page = new PageClient(server);
        session = page.session(server.adminToken());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private String csrf() {
        return PageClient.csrf(page.get("/", session));
    }

    @Test
    void restoreThisVersionAsksFirstThenCreatesTheRequestAndItCanBeCancelled() {
        String token = server.mintToken("restoreco");
        String version = api.upload("restoreco", "app", token, "m1", dir, 5, 1);
        api.upload("restoreco", "app", token, "m1", dir, 6, 2);
        String db = "/ui/tenants/restoreco/databases/app";
        HttpResponse<byte[]> confirm = page.get(db + "/restore?version=" + version, session);
        assertEquals(200, confirm.statusCode(), Http.text(confirm));
        assertTrue(Http.text(confirm).contains(version) && Http.text(confirm).contains("value=\"m1\""));
        assertEquals(0, restores("restoreco").size(), "asking is not doing");

        HttpResponse<byte[]> created = page.postSignedIn(db + "/restores", session, PageClient.csrf(confirm),
                Map.of("version", version, "target", "clone", "machineId", "m1"));
        assertEquals(303, created.statusCode(), Http.text(created));
        JsonNode request = restores("restoreco").get(0);
        assertEquals(version, request.get("version").asText(), "the chosen version, not the latest");
        assertTrue(request.get("onlyIfMissing").asBoolean());
        assertEquals("m1", request.get("machineId").asText());
        assertEquals("pending", request.get("state").asText());

        String listed = Http.text(page.get(db, session));
        String id = request.get("id").asText();
        assertTrue(listed.contains("data-id=\"" + id + "\" data-state=\"pending\""), listed);
        HttpResponse<byte[]> cancel = page.postSignedIn(db + "/restores/" + id + "/cancel", session, csrf(), Map.of());
        assertEquals(303, cancel.statusCode(), Http.text(cancel));
        assertEquals("cancelled", restores("restoreco").get(0).get("state").asText());
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenOrWithAnotherSessionsIsRefusedAndChangesNothing() {
        String token = server.mintToken("csrfco");
        String version = api.upload("csrfco", "app", token, "m1", dir, 5, 1);
        String db = "/ui/tenants/csrfco/databases/app";
        Map<String, String> form = Map.of("version", version, "target", "live");
        HttpResponse<byte[]> missing = page.postSignedIn(db + "/restores", session, null, form);
        assertEquals(403, missing.statusCode());
        assertTrue(Http.text(missing).contains("security token"), Http.text(missing));
        String otherSession = new PageClient(server).session(server.adminToken());
        String othersCsrf = PageClient.csrf(page.get("/", otherSession));
        assertEquals(403, page.postSignedIn(db + "/restores", session, othersCsrf, form).statusCode());
        assertEquals(403, page.postSignedIn(db + "/retention", session, "", Map.of("keepLast", "1")).statusCode());
        assertEquals(0, restores("csrfco").size());
        assertEquals("default", retention("csrfco").get("source").asText());
    }

    @Test
    void retentionEditsAreValidatedOnTheFormAndSavedThroughTheSamePolicies() {
        String token = server.mintToken("retainco");
        api.upload("retainco", "app", token, "m1", dir, 5, 1);
        String db = "/ui/tenants/retainco/databases/app";
        Map<String, String> bad = Map.of("keepLast", "-1", "hourly", "x", "daily", "7", "weekly", "4",
                "monthly", "99999999", "yearly", "0");
        HttpResponse<byte[]> refused = page.postSignedIn(db + "/retention", session, csrf(), bad);
        assertEquals(400, refused.statusCode());
        String html = Http.text(refused);
        assertTrue(html.contains("id=\"ret-keepLast\" name=\"keepLast\" value=\"-1\""), "what was typed stays");
        assertEquals(3, html.split("role=\"alert\"").length - 1, "one message per wrong field: " + html);
        assertEquals("default", retention("retainco").get("source").asText());

        Map<String, String> good = Map.of("keepLast", "3", "hourly", "0", "daily", "7", "weekly", "4",
                "monthly", "12", "yearly", "1");
        assertEquals(303, page.postSignedIn(db + "/retention", session, csrf(), good).statusCode());
        JsonNode saved = retention("retainco");
        assertEquals("tenant", saved.get("source").asText());
        assertEquals(3, saved.get("policy").get("keepLast").asInt());
        assertEquals(1, saved.get("policy").get("yearly").asInt());

        assertEquals(303, page.postSignedIn(db + "/retention", session, csrf(), Map.of("reset", "1")).statusCode());
        assertEquals("default", retention("retainco").get("source").asText());
    }

    @Test
    void bothDownloadFormsAndTheDrillWork() throws Exception {
        String token = server.mintToken("dlco");
        String version = api.upload("dlco", "app", token, "m1", dir, 5, 1);
        String db = "/ui/tenants/dlco/databases/app";
        HttpResponse<byte[]> sqlite = page.get(db + "/snapshots/" + version + "/download?form=sqlite", session);
        assertEquals(200, sqlite.statusCode());
        assertArrayEquals("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(sqlite.body(), 16));
        HttpResponse<byte[]> zstd = page.get(db + "/snapshots/" + version + "/download?form=zstd", session);
        assertEquals(200, zstd.statusCode());
        assertArrayEquals(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, Arrays.copyOf(zstd.body(), 4));
        assertTrue(zstd.headers().firstValue("Content-Disposition").orElseThrow().contains(".sqlite3.zst"));

        assertTrue(Http.text(page.get(db, session)).contains("not drilled yet"));
        HttpResponse<byte[]> drill = page.postSignedIn(db + "/drill", session, csrf(), Map.of());
        assertEquals(303, drill.statusCode(), Http.text(drill));
        String after = Http.text(page.get(db + "?notice=drill_done", session));
        assertTrue(after.contains("<span class=\"badge st-ok\">ok</span>"), after);
        assertTrue(after.contains("Drill finished"), after);
    }

    @Test
    void freeTextFromAgentsAndSearchesCannotInjectMarkup() {
        String token = server.mintToken("hostileco");
        String version = api.upload("hostileco", "app", token, "m1", dir, 5, 1);
        JsonNode r = api.expect(202, "POST", "/api/v1/tenants/hostileco/databases/app/restores",
                server.adminToken(), "{\"version\":\"" + version + "\"}");
        String id = r.get("id").asText();
        api.expect(200, "POST", "/api/v1/tenants/hostileco/restores/" + id + "/claim", token,
                "{\"machineId\":\"m1\"}");
        api.expect(200, "POST", "/api/v1/tenants/hostileco/restores/" + id + "/result", token,
                "{\"machineId\":\"m1\",\"state\":\"failed\",\"message\":"
                        + "\"<script>alert(1)</script><img src=x onerror=alert(2)>\\\"'&\"}");
        String html = Http.text(page.get("/ui/tenants/hostileco/databases/app", session));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"), html);
        assertFalse(html.contains(HOSTILE) || html.contains("<script") || html.contains("<img"), html);

        String fleet = Http.text(page.get("/?q=" + java.net.URLEncoder.encode(HOSTILE, StandardCharsets.UTF_8),
                session));
        assertFalse(fleet.contains("<script") || fleet.contains("<img"), fleet);
        assertTrue(fleet.contains("No database matches."));
    }

    @Test
    void badNamesAndUnknownDatabasesGetAnErrorPageNeverA500() {
        HttpResponse<byte[]> bad = page.get("/ui/tenants/a%2Fb/databases/app", session);
        assertEquals(400, bad.statusCode(), Http.text(bad));
        assertTrue(bad.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertEquals(404, page.get("/ui/tenants/nobody/databases/app", session).statusCode());
        assertEquals(400, page.get("/ui/tenants/nobody/databases/app/restore?version=nope", session).statusCode());
        HttpResponse<byte[]> missing = page.get("/ui/tenants/nobody/databases/app/snapshots/"
                + "20261121T093000123Z-1a2b3c4d/download?form=zstd", session);
        assertEquals(404, missing.statusCode());
        assertTrue(missing.headers().firstValue("Content-Disposition").isEmpty(), "an error page, not a file");
    }

    private static JsonNode restores(String tenant) {
        return api.expect(200, "GET", "/api/v1/tenants/" + tenant + "/restores", server.adminToken(), null)
                .get("restores");
    }

    private static JsonNode retention(String tenant) {
        return api.expect(200, "GET", "/api/v1/tenants/" + tenant + "/retention", server.adminToken(), null);
    }
}
