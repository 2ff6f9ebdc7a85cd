package dev.cellar.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/tenants} in pages, with the status filter, over a real server and bucket. */
class TenantPagingTest {
    @TempDir
    Path dir;

    @Test
    void pagesVisitEveryTenantExactlyOnceAndTheFilterKeepsOnlyTheAskedStatuses() {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); TestServer server = TestServer.startOn(s3, Map.of(), clock)) {
            Api api = new Api(server);
            Set<String> all = new TreeSet<>();
            Set<String> stale = new TreeSet<>();
            for (int i = 0; i < 25; i++) {
                // names that sort differently as keys than as strings ('-' and '_' around '/')
                String tenant = (i % 3 == 0 ? "t" : i % 3 == 1 ? "t-" : "t_") + i;
                String token = server.mintToken(tenant);
                all.add(tenant);
                if (i % 4 == 0) {
                    api.upload(tenant, "app", token, null, dir, 5, i);
                    stale.add(tenant); // uploaded before the clock moves
                }
            }
            clock.advance(Duration.ofHours(27));
            Set<String> fresh = new TreeSet<>();
            for (String tenant : List.of("t-1", "t_2")) {
                api.upload(tenant, "app", server.mintToken(tenant), null, dir, 5, 100 + fresh.size());
                fresh.add(tenant);
            }

            List<String> seen = walk(api, server, "limit=10", 10);
            assertEquals(25, seen.size(), seen.toString());
            assertEquals(all, new TreeSet<>(seen), "every tenant exactly once");

            List<String> filtered = walk(api, server, "limit=3&status=stale,failing", 3);
            assertEquals(stale, new TreeSet<>(filtered));
            assertEquals(stale.size(), filtered.size());
            assertEquals(fresh, new TreeSet<>(walk(api, server, "status=ok", 100)));

            for (String[] bad : new String[][] {{"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=ten", "limit"},
                    {"cursor=not-a-cursor", "cursor"}, {"status=sleeping", "status"}, {"status=ok,", "status"}}) {
                JsonNode e = api.expect(400, "GET", "/api/v1/tenants?" + bad[0], server.adminToken(), null);
                assertEquals("invalid_parameter", e.get("error").asText());
                assertTrue(e.get("message").asText().startsWith(bad[1]), bad[0] + " → " + e);
            }
        }
    }

    /** Follows {@code next} from the first page to the last; each page holds at most {@code limit} tenants. */
    private static List<String> walk(Api api, TestServer server, String query, int limit) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String q = query + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = api.expect(200, "GET", "/api/v1/tenants?" + q, server.adminToken(), null);
            assertTrue(page.get("tenants").size() <= limit, page.toString());
            page.get("tenants").forEach(t -> out.add(t.get("tenant").asText()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
            assertTrue(++pages < 100, "the pages end");
        } while (cursor != null);
        return out;
    }
}
