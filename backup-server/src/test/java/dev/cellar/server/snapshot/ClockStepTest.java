package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new version sorts after its database's latest, whatever the clock of the instance that receives it says. */
class ClockStepTest {
    private static final String LIST = "/api/v1/tenants/acme/databases/app/snapshots";
    @TempDir
    Path dir;

    @Test
    void anUploadAfterTheClockSteppedBackIsStillTheLatest() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of(), clock)) {
            Api api = new Api(server);
            String token = server.mintToken("acme");
            String first = api.upload("acme", "app", token, null, dir, 10, 1);
            clock.advance(Duration.ofHours(-1)); // an NTP step back, or a second instance whose clock is behind
            String second = api.upload("acme", "app", token, null, dir, 20, 2);

            assertTrue(second.compareTo(first) > 0, second + " sorts after " + first);
            JsonNode newest = api.expect(200, "GET", LIST + "?limit=1", token, null).get("snapshots").get(0);
            assertEquals(second, newest.get("version").asText(), "the newer upload is what a restore gets");
        }
    }

    @Test
    void twoInstancesWithSkewedClocksKeepTheUploadOrder() {
        MutableClock ahead = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
        MutableClock behind = new MutableClock(Instant.parse("2026-11-01T09:59:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer a = TestServer.startOn(s3, Map.of(), ahead);
             TestServer b = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", a.adminToken(),
                     "BACKUP_TOKEN_SECRET", a.env().get("BACKUP_TOKEN_SECRET")), behind)) {
            String token = a.mintToken("acme");
            String first = new Api(a).upload("acme", "app", token, null, dir, 10, 1);
            String second = new Api(b).upload("acme", "app", token, null, dir, 20, 2);
            assertTrue(second.compareTo(first) > 0, second + " sorts after " + first);
            JsonNode newest = new Api(a).expect(200, "GET", LIST + "?limit=1", token, null).get("snapshots").get(0);
            assertEquals(second, newest.get("version").asText());
        }
    }
}
