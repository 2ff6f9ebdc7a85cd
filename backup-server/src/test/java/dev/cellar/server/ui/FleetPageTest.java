package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet view's paging, filter and search over plain HTTP, on local storage. */
class FleetPageTest {
    private static final Pattern ROW = Pattern.compile("<tr [^>]*data-tenant=\"([^\"]+)\" data-status=\"([^\"]+)\"");
    @TempDir
    Path dir;

    @Test
    void aLargeFleetIsPagedFilteredAndSearched() throws Exception {
        try (TestServer server = TestServer.startLocal(dir.resolve("data"), Map.of())) {
            Api api = new Api(server);
            String token = server.mintToken("big");
            int databases = FleetPage.PAGE_SIZE + 2;
            for (int i = 0; i < databases; i++) {
                api.upload("big", String.format("db-%02d", i), token, "m1", dir, 1, i);
            }
            PageClient page = new PageClient(server);
            String session = page.session(server.adminToken());

            String first = Http.text(page.get("/", session));
            assertEquals(FleetPage.PAGE_SIZE, rows(first));
            assertTrue(first.contains("page 1 of 2") && first.contains(databases + " databases"), first);
            assertTrue(first.contains("href=\"/?status=&amp;q=&amp;page=2\""), first);
            String second = Http.text(page.get("/?status=&q=&page=2", session));
            assertEquals(2, rows(second));
            assertTrue(second.contains("big / db-51"), second);

            String search = Http.text(page.get("/?q=DB-05", session));
            assertEquals(1, rows(search));
            assertTrue(search.contains("big / db-05") && !search.contains("page 1 of"), search);
            assertEquals(0, rows(Http.text(page.get("/?status=stale", session))));
            assertEquals(FleetPage.PAGE_SIZE, rows(Http.text(page.get("/?status=ok", session))));
            assertEquals(FleetPage.PAGE_SIZE, rows(Http.text(page.get("/?status=bogus&page=zero", session))));
        }
    }

    private static int rows(String html) {
        Matcher m = ROW.matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
