package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * An agent that restored a missing database at boot and passed over a damaged version says so in its heartbeats;
 * the admin sees it, in a real headless browser, on that database's page and as a warning on its fleet row, and not
 * on a database none of its machines skipped.
 */
class SkippedVersionsBrowserTest {
    /** Markup in an agent's free text must reach the page as text. */
    private static final String REASON = "fails integrity_check: <b>Page 11</b> is never used";
    @TempDir
    Path dir;

    @Test
    void theDatabasePageListsTheVersionsAMachineSkippedAtBootAndOnlyThere() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of(), clock);
             Browser browser = Browser.start()) {
            Api api = new Api(server);
            String token = server.mintToken("acme");
            api.upload("acme", "app", token, "m-old", dir, 20, 1);
            api.upload("acme", "other", token, "m-old", dir, 20, 2);
            clock.advance(Duration.ofHours(1));
            String damaged = api.upload("acme", "app", token, "m-old", dir, 30, 3);
            clock.advance(Duration.ofHours(1));
            heartbeat(api, token, "m-plain", "");
            clock.advance(Duration.ofMinutes(5));
            heartbeat(api, token, "m-boot", ",\"skippedVersions\":[{\"database\":\"app\",\"version\":\"" + damaged
                    + "\",\"reason\":\"" + REASON + "\"}]");

            WebDriver web = browser.driver();
            web.get(server.baseUri() + "/");
            web.findElement(By.id("token")).sendKeys(server.adminToken());
            browser.clickAndWait(web.findElement(By.cssSelector("button[type=submit]")));
            assertEquals("versions skipped at boot by machine m-boot: see the database page",
                    warnings(web, "acme / app"));
            assertEquals("", warnings(web, "acme / other"));
            browser.screenshot("fleet-skipped");

            browser.clickAndWait(web.findElement(By.linkText("acme / app")));
            WebElement section = web.findElement(By.id("skipped-at-boot"));
            assertEquals("Versions skipped at boot", section.findElement(By.tagName("h2")).getText());
            List<WebElement> rows = section.findElements(By.cssSelector("#skipped-versions tbody tr"));
            assertEquals(1, rows.size());
            List<String> cells = rows.get(0).findElements(By.tagName("td")).stream().map(WebElement::getText)
                    .toList();
            assertEquals(List.of("m-boot", damaged, REASON, "2026-11-20 10:05 UTC"), cells);
            assertTrue(section.findElements(By.tagName("b")).isEmpty(), "the reason is escaped, not markup");
            browser.screenshot("database-skipped");

            web.get(server.baseUri() + "/ui/tenants/acme/databases/other");
            assertTrue(web.findElement(By.tagName("h1")).getText().startsWith("acme / other"), web.getTitle());
            assertTrue(web.findElements(By.id("skipped-at-boot")).isEmpty(), "no section without skipped versions");
            assertFalse(web.getPageSource().contains("skipped at boot"), "nothing about skipped versions");
        }
    }

    private static void heartbeat(Api api, String token, String machine, String extra) {
        api.expect(200, "POST", "/api/v1/tenants/acme/heartbeats", token, "{\"machineId\":\"" + machine
                + "\",\"region\":\"ams\",\"agentVersion\":\"0.1.0\",\"databases\":[\"app\",\"other\"]" + extra + "}");
    }

    /** The warnings cell of the fleet row that links to {@code name}. */
    private static String warnings(WebDriver web, String name) {
        WebElement row = web.findElement(By.linkText(name)).findElement(By.xpath("ancestor::tr"));
        List<WebElement> cells = row.findElements(By.tagName("td"));
        return cells.get(cells.size() - 1).getText();
    }
}
