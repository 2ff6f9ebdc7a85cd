package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Signing in and out of the admin page over plain HTTP: who gets a session, how long it lasts, where it holds. */
class AdminPageSessionTest {
    private static final String DB = "/ui/tenants/acme/databases/app";
    @TempDir
    Path dir;

    @Test
    void noRouteOfThePageWorksWithoutASessionAndNothingIsChanged() {
        try (TestServer server = TestServer.start()) {
            Api api = new Api(server);
            String token = server.mintToken("acme");
            String version = api.upload("acme", "app", token, "m1", dir, 5, 1);
            PageClient page = new PageClient(server);
            for (String path : List.of("/", DB, DB + "/restore?version=" + version,
                    DB + "/snapshots/" + version + "/download?form=sqlite")) {
                HttpResponse<byte[]> r = page.get(path, null);
                assertEquals(303, r.statusCode(), path);
                assertEquals("/ui/signin", r.headers().firstValue("Location").orElseThrow(), path);
                HttpResponse<byte[]> tenantToken = page.get(path, token); // a tenant token is no session either
                assertEquals(303, tenantToken.statusCode(), path);
            }
            String anyCsrf = PageClient.csrf(page.get("/ui/signin", null));
            for (String path : List.of(DB + "/restores", DB + "/retention", DB + "/drill", "/ui/signout",
                    DB + "/restores/r20261121T093000123Z-1a2b3c/cancel")) {
                HttpResponse<byte[]> r = page.post(path, null, Map.of("csrf", anyCsrf, "version", version,
                        "target", "live", "keepLast", "1"), Map.of());
                assertEquals(401, r.statusCode(), path);
                assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"), path);
            }
            assertEquals(0, api.expect(200, "GET", "/api/v1/tenants/acme/restores", server.adminToken(), null)
                    .get("restores").size());
            assertEquals("default", api.expect(200, "GET", "/api/v1/tenants/acme/retention",
                    server.adminToken(), null).get("source").asText());
        }
    }

    @Test
    void aWrongTokenATenantTokenAndASignInWithoutItsFormCookieAreRefused() {
        try (TestServer server = TestServer.start()) {
            PageClient page = new PageClient(server);
            HttpResponse<byte[]> wrong = page.signIn(server.adminToken() + "x", Map.of());
            assertEquals(401, wrong.statusCode());
            assertTrue(Http.text(wrong).contains("That is not the admin token."));
            assertTrue(PageClient.setCookie(wrong, PageClient.SESSION).isEmpty());
            assertFalse(Http.text(wrong).contains(server.adminToken()), "the page never echoes a token");

            HttpResponse<byte[]> tenant = page.signIn(server.mintToken("acme"), Map.of());
            assertEquals(401, tenant.statusCode());

            String csrf = PageClient.csrf(page.get("/ui/signin", null));
            HttpResponse<byte[]> noCookie = page.post("/ui/signin", null,
                    Map.of("csrf", csrf, "token", server.adminToken()), Map.of());
            assertEquals(403, noCookie.statusCode());
            assertTrue(PageClient.setCookie(noCookie, PageClient.SESSION).isEmpty());
        }
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictAndSecureBehindTls() {
        try (TestServer server = TestServer.start()) {
            PageClient page = new PageClient(server);
            String plain = PageClient.setCookieHeader(page.signIn(server.adminToken(), Map.of()), PageClient.SESSION)
                    .orElseThrow();
            assertTrue(plain.contains("; HttpOnly") && plain.contains("; SameSite=Strict"), plain);
            assertFalse(plain.contains("Secure"), plain);
            String tls = PageClient.setCookieHeader(page.signIn(server.adminToken(),
                    Map.of("X-Forwarded-Proto", "https")), PageClient.SESSION).orElseThrow();
            assertTrue(tls.contains("; Secure") && tls.contains("; HttpOnly") && tls.contains("; SameSite=Strict"),
                    tls);
        }
    }

    @Test
    void aSessionHoldsOnEveryInstanceUntilItIsSignedOutThereOrHere() {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer one = TestServer.startOn(s3, Map.of());
             TestServer two = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", one.adminToken(),
                     "BACKUP_TOKEN_SECRET", one.env().get("BACKUP_TOKEN_SECRET")))) {
            PageClient first = new PageClient(one);
            PageClient second = new PageClient(two);
            String session = first.session(one.adminToken());
            assertEquals(200, second.get("/", session).statusCode(), "another instance accepts the session");

            HttpResponse<byte[]> fleet = first.get("/", session);
            HttpResponse<byte[]> out = first.postSignedIn("/ui/signout", session, PageClient.csrf(fleet), Map.of());
            assertEquals(303, out.statusCode());
            assertEquals("", PageClient.setCookie(out, PageClient.SESSION).orElseThrow(), "the cookie is deleted");
            assertEquals(303, first.get("/", session).statusCode(), "signed out here");
            assertEquals(303, second.get("/", session).statusCode(), "and on the other instance");
        }
    }

    @Test
    void aForgedOrForeignSessionIsNoSession() {
        try (TestServer server = TestServer.start(); TestServer other = TestServer.start()) {
            PageClient page = new PageClient(server);
            String session = page.session(server.adminToken());
            String[] parts = session.split("\\.");
            String laterExpiry = (Long.parseLong(parts[0]) + 86_400) + "." + parts[1] + "." + parts[2];
            String otherNonce = parts[0] + "." + "A".repeat(24) + "." + parts[2];
            String otherMac = parts[0] + "." + parts[1] + "." + "B".repeat(parts[2].length());
            for (String forged : List.of(laterExpiry, otherNonce, otherMac, "", "garbage", session + ".x")) {
                assertEquals(303, page.get("/", forged).statusCode(), forged);
            }
            String foreign = new PageClient(other).session(other.adminToken());
            assertEquals(303, page.get("/", foreign).statusCode(), "a session of a server with other secrets");
            assertEquals(200, page.get("/", session).statusCode());
        }
    }

    @Test
    void aSessionEndsWithItsLifetimeAndSignOutRecordsLeaveWithTheirSessions() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T09:30:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_SESSION_TTL", "PT1H"), clock);
             S3Client bucket = s3.newClient()) {
            PageClient page = new PageClient(server);
            String session = page.session(server.adminToken());
            clock.advance(Duration.ofMinutes(59));
            assertEquals(200, page.get("/", session).statusCode());
            clock.advance(Duration.ofMinutes(1));
            assertEquals(303, page.get("/", session).statusCode());

            String early = page.session(server.adminToken());
            signOut(page, early);
            assertEquals(1, signOuts(s3, bucket));
            clock.advance(Duration.ofHours(2));
            signOut(page, page.session(server.adminToken()));
            assertEquals(1, signOuts(s3, bucket), "the expired session's record is gone, the new one stays");
        }
    }

    private static void signOut(PageClient page, String session) {
        String csrf = PageClient.csrf(page.get("/", session));
        assertEquals(303, page.postSignedIn("/ui/signout", session, csrf, Map.of()).statusCode());
    }

    private static int signOuts(S3ProxyFixture s3, S3Client bucket) {
        return bucket.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("admin/signed-out/")).contents().size();
    }
}
