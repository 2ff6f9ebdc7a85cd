package dev.cellar.server.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code SENTRY_DSN} pointed at a real local receiver: a status transition and an unexpected server error (a 500)
 * each arrive as a Sentry envelope; without the variable nothing is sent.
 */
class SentryAlertTest {
    @TempDir
    Path dir;

    @Test
    void aTransitionAndAnUnexpectedErrorReachSentry() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (Receiver sentry = new Receiver(0); S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of("SENTRY_DSN",
                     "http://publickey@127.0.0.1:" + sentry.port() + "/1"), clock)) {
            String token = server.mintToken("acme");
            makeStaleAndBreak(server, s3, clock, token);

            List<String> transition = sentry.await(1, e -> e.contains("Cellar: acme/app is stale"));
            assertEquals(1, transition.size(), sentry.accepted().toString());
            assertTrue(transition.get(0).startsWith("/api/1/envelope/ "), transition.get(0));
            List<String> error = sentry.await(1, e -> e.contains("unreadable tenant.json"));
            assertEquals(1, error.size(), sentry.accepted().toString());
            assertFalse(String.join("\n", sentry.accepted()).contains(token), "never a token");
        }
    }

    @Test
    void withoutSentryDsnAnUnexpectedErrorGoesNowhereButTheLog() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (Receiver hook = new Receiver(0); S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of("BACKUP_ALERT_WEBHOOK_URL", hook.url()), clock)) {
            makeStaleAndBreak(server, s3, clock, server.mintToken("acme"));
            assertEquals(1, hook.await(1, m -> m.contains("\"to\":\"stale\"")).size(), hook.accepted().toString());
            server.close(); // whatever it had queued is sent or dropped now
            assertEquals(1, hook.accepted().size(), "the webhook gets transitions only: " + hook.accepted());
        }
    }

    /** A stale transition through the stale job, then a 500: a tenant record that cannot be read. */
    private void makeStaleAndBreak(TestServer server, S3ProxyFixture s3, TestClock clock, String token) {
        Api api = new Api(server);
        api.upload("acme", "app", token, "m1", dir, 10, 1);
        clock.advance(Duration.ofHours(27));
        api.expect(200, "POST", "/api/v1/jobs/stale/run", server.adminToken(), null);
        try (var bucket = s3.newClient()) {
            bucket.putObject(o -> o.bucket(s3.bucket()).key("tenants/acme/tenant.json"),
                    RequestBody.fromBytes("{not json".getBytes()));
        }
        JsonNode failed = api.expect(500, "GET", "/api/v1/tenants/acme", server.adminToken(), null);
        assertEquals("internal_error", failed.get("error").asText());
    }
}
