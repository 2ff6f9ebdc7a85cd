package dev.cellar.server.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Retention over a real server and a real S3 bucket (S3Proxy), on a clock moved by hand so that ten snapshots are
 * ten days apart: a dry run answers exactly what a run then deletes, survivors carry their reasons, the newest
 * verified and a pinned version survive, and nothing deleted stays in the bucket.
 */
class RetentionRunTest {
    private static final String POLICY =
            "{\"keepLast\":2,\"hourly\":0,\"daily\":3,\"weekly\":0,\"monthly\":0,\"yearly\":0}";
    @TempDir
    Path dir;
    private S3ProxyFixture s3;
    private TestServer server;
    private Api api;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-01T10:00:00Z"));
    private final List<String> v = new ArrayList<>();

    @BeforeEach
    void tenDailySnapshots() {
        s3 = S3ProxyFixture.start();
        server = TestServer.startOn(s3, Map.of(), clock);
        api = new Api(server);
        String token = server.mintToken("acme");
        api.expect(200, "PUT", "/api/v1/tenants/acme/retention", admin(), POLICY);
        for (int day = 0; day < 10; day++) {
            v.add(api.upload("acme", "app", token, null, dir, 5, day));
            if (day <= 1) {
                // v0 and then v1 pass a drill while newest: v1 ends up the newest verified snapshot
                api.expect(200, "POST", "/api/v1/drills/run", admin(), null);
            }
            clock.advance(Duration.ofDays(1));
        }
        api.expect(202, "POST", "/api/v1/tenants/acme/databases/app/restores", admin(),
                "{\"version\":\"" + v.get(3) + "\"}");
        // another tenant under the server default, which keeps all three of its snapshots anyway
        String other = server.mintToken("other");
        for (int i = 0; i < 3; i++) {
            api.upload("other", "db", other, null, dir, 3, 100 + i);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        s3.close();
    }

    @Test
    void aDryRunAnswersWhatARunDeletesAndWhyEachSurvivorStays() {
        JsonNode dry = api.expect(200, "POST", "/api/v1/retention/run?dryRun=true&tenant=acme", admin(), null);
        assertTrue(dry.get("dryRun").asBoolean());
        assertEquals(1, dry.get("databases").size());
        JsonNode app = dry.get("databases").get(0);
        assertEquals("acme", app.get("tenant").asText());
        assertEquals("tenant", app.get("policySource").asText());
        assertEquals(versions(6, 5, 4, 2, 0), strings(app.get("deleted")));
        Map<String, List<String>> kept = new LinkedHashMap<>();
        kept.put(v.get(9), List.of(RetentionRun.NEWEST, "last snapshot", "daily snapshot"));
        kept.put(v.get(8), List.of("last snapshot", "daily snapshot"));
        kept.put(v.get(7), List.of("daily snapshot"));
        kept.put(v.get(3), List.of(RetentionRun.PINNED));
        kept.put(v.get(1), List.of(RetentionRun.VERIFIED));
        assertEquals(kept, reasons(app.get("kept")));
        assertEquals(5, dry.get("report").get("counts").get("wouldDelete").asInt());
        assertEquals(10, listing().size(), "a dry run deletes nothing");

        JsonNode run = api.expect(200, "POST", "/api/v1/retention/run?tenant=acme", admin(), null);
        assertEquals(strings(app.get("deleted")), strings(run.get("databases").get(0).get("deleted")));
        assertEquals(kept, reasons(run.get("databases").get(0).get("kept")));
        assertEquals("ok", run.get("report").get("outcome").asText());
        assertEquals(versions(9, 8, 7, 3, 1), listing());
        api.expect(404, "GET", "/api/v1/tenants/acme/databases/app/snapshots/" + v.get(0), admin(), null);
        assertEquals(5, keys("tenants/acme/databases/app/snapshots/").size(), "the data of deleted versions is gone");
        List<String> verdicts = keys("tenants/acme/databases/app/drills/");
        assertEquals(1, verdicts.size(), "v0's verdict went with it: " + verdicts);
        assertTrue(verdicts.get(0).contains(v.get(1)));
        assertEquals(3, api.expect(200, "GET", "/api/v1/tenants/other/databases/db/snapshots", admin(), null)
                .get("snapshots").size(), "?tenant= limits the run to that tenant");

        JsonNode again = api.expect(200, "POST", "/api/v1/retention/run", admin(), null);
        assertEquals(0, again.get("report").get("counts").get("deleted").asInt(), "a second run finds nothing");
        assertEquals(2, again.get("databases").size());
    }

    @Test
    void twoInstancesRunningRetentionAtOnceEndInTheSameState() throws Exception {
        try (TestServer second = TestServer.startOn(s3, Map.of("BACKUP_ADMIN_TOKEN", admin(),
                "BACKUP_TOKEN_SECRET", server.env().get("BACKUP_TOKEN_SECRET")), clock)) {
            Api api2 = new Api(second);
            CompletableFuture<JsonNode> a = CompletableFuture.supplyAsync(() ->
                    api.expect(200, "POST", "/api/v1/retention/run", admin(), null));
            CompletableFuture<JsonNode> b = CompletableFuture.supplyAsync(() ->
                    api2.expect(200, "POST", "/api/v1/retention/run", admin(), null));
            assertEquals("ok", a.get().get("report").get("outcome").asText(), a.get().toString());
            assertEquals("ok", b.get().get("report").get("outcome").asText(), b.get().toString());
        }
        assertEquals(versions(9, 8, 7, 3, 1), listing());
        assertEquals(5, keys("tenants/acme/databases/app/snapshots/").size());
    }

    private String admin() {
        return server.adminToken();
    }

    private List<String> listing() {
        List<String> out = new ArrayList<>();
        api.expect(200, "GET", "/api/v1/tenants/acme/databases/app/snapshots", admin(), null).get("snapshots")
                .forEach(s -> out.add(s.get("version").asText()));
        return out;
    }

    private List<String> keys(String prefix) {
        try (S3Client client = s3.newClient()) {
            return client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix(prefix)).contents().stream()
                    .map(S3Object::key).toList();
        }
    }

    private List<String> versions(int... indexes) {
        List<String> out = new ArrayList<>();
        for (int i : indexes) {
            out.add(v.get(i));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, List<String>> reasons(JsonNode kept) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        kept.forEach(k -> out.put(k.get("version").asText(), strings(k.get("reasons"))));
        return out;
    }
}
