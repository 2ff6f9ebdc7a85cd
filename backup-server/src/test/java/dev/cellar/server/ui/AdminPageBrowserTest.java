package dev.cellar.server.ui;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The admin page in a real headless browser: sign in (a wrong token first), see the stale tenant first and
 * highlighted, open it, restore one of its versions as a fresh clone, and see the request listed. Screenshots go
 * to {@code target/screenshots/}.
 */
class AdminPageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void anAdminFindsTheStaleTenantFirstAndRestoresOneOfItsVersions() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T08:00:00Z"));
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             TestServer server = TestServer.startOn(s3, Map.of(), clock);
             Browser browser = Browser.start()) {
            Api api = new Api(server);
            String old = server.mintToken("oldco");
            heartbeat(api, "oldco", old, "m-old", "ams");
            String restoreMe = api.upload("oldco", "app", old, "m-old", dir, 20, 1);
            clock.advance(Duration.ofHours(2));
            api.upload("oldco", "app", old, "m-old", dir, 400, 2);
            clock.advance(Duration.ofHours(30)); // past BACKUP_STALE_AFTER (26h): oldco went silent
            for (String tenant : List.of("alpha", "newco", "zulu")) {
                String token = server.mintToken(tenant);
                heartbeat(api, tenant, token, "m-" + tenant, "fra");
                api.upload(tenant, "app", token, "m-" + tenant, dir, 50, 3);
                clock.advance(Duration.ofMinutes(20));
                api.upload(tenant, "app", token, "m-" + tenant, dir, 80, 4);
            }

            WebDriver web = browser.driver();
            web.get(server.baseUri() + "/");
            assertTrue(web.getCurrentUrl().endsWith("/ui/signin"), web.getCurrentUrl());
            web.findElement(By.id("token")).sendKeys("not-the-admin-token");
            browser.clickAndWait(web.findElement(By.cssSelector("button[type=submit]")));
            assertEquals("That is not the admin token.", web.findElement(By.cssSelector("[role=alert]")).getText());
            browser.screenshot("signin-refused");

            web.findElement(By.id("token")).sendKeys(server.adminToken());
            browser.clickAndWait(web.findElement(By.cssSelector("button[type=submit]")));
            List<WebElement> rows = web.findElements(By.cssSelector("#fleet tbody tr"));
            assertEquals(4, rows.size());
            WebElement first = rows.get(0);
            assertEquals("oldco", first.getAttribute("data-tenant"));
            assertEquals("stale", first.getAttribute("data-status"));
            assertTrue(first.getAttribute("class").contains("problem"), first.getAttribute("class"));
            assertEquals("rgba(255, 248, 197, 1)", first.getCssValue("background-color"), "highlighted");
            assertEquals("ok", rows.get(1).getAttribute("data-status"));
            assertEquals("rgba(0, 0, 0, 0)", rows.get(1).getCssValue("background-color"), "not highlighted");
            browser.screenshot("fleet");
            web.manage().window().setSize(new Dimension(390, 844));
            browser.screenshot("fleet-phone");
            web.manage().window().setSize(new Dimension(1280, 900));

            browser.clickAndWait(first.findElement(By.linkText("oldco / app")));
            assertEquals("stale", web.findElement(By.id("status")).getText());
            assertEquals(2, web.findElements(By.cssSelector("#snapshots tbody tr")).size());
            assertTrue(web.findElements(By.cssSelector("svg.chart polyline")).size() == 2, "the chart is drawn");
            browser.screenshot("database");

            browser.clickAndWait(web.findElement(By.cssSelector("tr[data-version='" + restoreMe + "'] a.button")));
            assertTrue(web.findElement(By.tagName("h1")).getText().startsWith("Restore oldco / app"));
            web.findElement(By.cssSelector("label[for=target-clone]")).click();
            browser.screenshot("confirm-restore");
            browser.clickAndWait(web.findElement(By.cssSelector("button.danger")));

            WebElement listed = web.findElement(By.cssSelector("#restore-requests tbody tr"));
            assertEquals("pending", listed.getAttribute("data-state"));
            assertTrue(listed.getText().contains(restoreMe) && listed.getText().contains("fresh clone only"),
                    listed.getText());
            assertTrue(web.findElement(By.cssSelector("[role=status]")).getText().startsWith("Restore request"));
            browser.screenshot("restore-requested");
            JsonNode stored = api.expect(200, "GET", "/api/v1/tenants/oldco/restores", server.adminToken(), null)
                    .get("restores").get(0);
            assertEquals(restoreMe, stored.get("version").asText());
            assertTrue(stored.get("onlyIfMissing").asBoolean());
        }
    }

    private static void heartbeat(Api api, String tenant, String token, String machine, String region) {
        api.expect(200, "POST", "/api/v1/tenants/" + tenant + "/heartbeats", token,
                "{\"machineId\":\"" + machine + "\",\"region\":\"" + region + "\",\"agentVersion\":\"0.1.0\","
                        + "\"databases\":[\"app\"]}");
    }
}
