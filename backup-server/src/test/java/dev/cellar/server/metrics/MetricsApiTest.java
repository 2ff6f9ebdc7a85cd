package dev.cellar.server.metrics;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.PrometheusText;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} on a real server: what it counts as real requests happen, and who may read it. */
class MetricsApiTest {
    private static final String DB = "/api/v1/tenants/acme/databases/main/snapshots";
    @TempDir
    Path dir;

    @Test
    void countersMoveAsUploadsDownloadsAndRefusalsHappen() throws Exception {
        try (TestServer server = TestServer.start()) {
            String token = server.mintToken("acme");
            PrometheusText before = scrape(server, server.adminToken());
            Path db = TestDatabases.create(dir.resolve("a.sqlite3"), 200, 1);

            JsonNode stored = Api.json(upload(server, token, Files.readAllBytes(db)));
            upload(server, token, Files.readAllBytes(db)); // the same content: "unchanged"
            HttpResponse<byte[]> zstd = send(request(server.baseUri(), DB + "/latest", token).build());
            HttpResponse<byte[]> plain = send(request(server.baseUri(), DB + "/latest", token)
                    .header("Accept", "application/vnd.sqlite3").build());
            HttpResponse<byte[]> notSqlite = upload(server, token, "not a database at all".repeat(10).getBytes());
            HttpResponse<byte[]> noToken = send(request(server.baseUri(), DB, null).build());
            PrometheusText after = scrape(server, server.adminToken());

            assertEquals(200, zstd.statusCode());
            assertEquals(200, plain.statusCode());
            assertEquals(422, notSqlite.statusCode());
            assertEquals(401, noToken.statusCode());
            assertEquals(1, delta(before, after, "cellar_uploads_total", "outcome", "stored"));
            assertEquals(1, delta(before, after, "cellar_uploads_total", "outcome", "unchanged"));
            assertEquals(1, delta(before, after, "cellar_upload_duration_seconds_count", "outcome", "stored"));
            assertEquals(stored.get("storedBytes").asLong(), delta(before, after, "cellar_upload_stored_bytes_total"));
            assertEquals(1, delta(before, after, "cellar_downloads_total", "form", "zstd"));
            assertEquals(1, delta(before, after, "cellar_downloads_total", "form", "sqlite"));
            assertEquals(zstd.body().length, delta(before, after, "cellar_download_bytes_total", "form", "zstd"));
            assertEquals(plain.body().length, delta(before, after, "cellar_download_bytes_total", "form", "sqlite"));
            assertEquals(Files.size(db), plain.body().length);
            assertEquals(1, delta(before, after, "cellar_refusals_total", "reason", "not_sqlite", "status", "422"));
            assertEquals(1, delta(before, after, "cellar_refusals_total", "reason", "unauthorized", "status", "401"));
            assertEquals("histogram", after.type("cellar_upload_duration_seconds"));
            assertTrue(after.sum("jvm_memory_used_bytes") > 0, "JVM metrics");
            assertTrue(after.sum("jetty_threads_config_max") > 0, "Jetty thread pool metrics");
            assertTrue(after.sum("jetty_connections_current_connections") >= 1, "Jetty connection metrics");
            assertFalse(after.anyLabel("tenant"), "no tenant label unless BACKUP_METRICS_PER_TENANT=true");
        }
    }

    @Test
    void withThePerTenantFlagUploadsCarryTheTenant() throws Exception {
        try (TestServer server = TestServer.start(Map.of("BACKUP_METRICS_PER_TENANT", "true"))) {
            String token = server.mintToken("acme");
            upload(server, token, Files.readAllBytes(TestDatabases.create(dir.resolve("a.sqlite3"), 20, 1)));

            PrometheusText text = scrape(server, server.adminToken());

            assertEquals(1, text.sum("cellar_uploads_total", "tenant", "acme", "outcome", "stored"));
            assertTrue(text.find("cellar_refusals_total").stream().noneMatch(s -> s.labels().containsKey("tenant")),
                    "refusals never carry the tenant: anyone can provoke them");
        }
    }

    @Test
    void metricsNeedTheAdminTokenOrTheMetricsTokenWhichOpensNothingElse() {
        String metricsToken = "scraper-0123456789abcdef";
        try (TestServer server = TestServer.start(Map.of("BACKUP_METRICS_TOKEN", metricsToken))) {
            String tenant = server.mintToken("acme");

            assertEquals(401, status(server, "/metrics", null));
            assertEquals(401, status(server, "/metrics", "wrong-token-0123456789"));
            assertEquals(403, status(server, "/metrics", tenant));
            assertEquals(200, status(server, "/metrics", server.adminToken()));
            assertEquals(200, status(server, "/metrics", metricsToken));
            assertEquals(401, status(server, "/api/v1/tenants", metricsToken));
            assertEquals(401, status(server, DB, metricsToken));
            HttpResponse<byte[]> refused = send(request(server.baseUri(), "/metrics", null).build());
            assertEquals("unauthorized", Api.json(refused).get("error").asText());
        }
    }

    @Test
    void theMetricsPortServesMetricsWithoutATokenAndNothingElse() {
        try (TestServer server = TestServer.start(Map.of("BACKUP_METRICS_PORT", "0"))) {
            URI listener = URI.create("http://127.0.0.1:" + server.metricsPort().orElseThrow());

            HttpResponse<byte[]> metrics = send(request(listener, "/metrics", null).build());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
            assertTrue(PrometheusText.parse(text(metrics)).sum("jvm_threads_live_threads") > 0);
            assertEquals(404, send(request(listener, "/api/v1/tenants", server.adminToken()).build()).statusCode());
            assertEquals(404, send(request(listener, "/up", null).build()).statusCode());
            assertEquals(405, send(request(listener, "/metrics", null).POST(BodyPublishers.noBody()).build())
                    .statusCode());
            assertEquals(401, status(server, "/metrics", null), "the API port still wants a token");
        }
        try (TestServer server = TestServer.start()) {
            assertTrue(server.metricsPort().isEmpty(), "no listener without BACKUP_METRICS_PORT");
        }
    }

    @Test
    void databasesByStatusAndTheOldestBackupComeFromAFleetWalk() throws Exception {
        try (TestServer server = TestServer.start(Map.of("BACKUP_METRICS_FLEET_TTL", "0"))) {
            Api api = new Api(server);
            Instant before = Instant.now();
            api.upload("acme", "main", server.mintToken("acme"), null, dir, 20, 1);
            api.upload("globex", "main", server.mintToken("globex"), null, dir, 20, 2);
            api.upload("globex", "cache", server.mintToken("globex"), null, dir, 20, 3);

            PrometheusText text = scrapeUntil(server, t -> t.sum("cellar_databases", "status", "ok") == 3);

            assertEquals(0, text.sum("cellar_databases", "status", "stale"));
            assertEquals(0, text.sum("cellar_databases", "status", "failing"));
            double age = text.sum("cellar_oldest_backup_age_seconds");
            assertTrue(age >= 0 && age <= Duration.between(before, Instant.now()).toSeconds() + 1, "age " + age);
            assertTrue(text.sum("cellar_fleet_walk_age_seconds") >= 0);
        }
    }

    @Test
    void jobRunsAndDrillResultsAreCounted() throws Exception {
        try (TestServer server = TestServer.start()) {
            Api api = new Api(server);
            api.upload("acme", "main", server.mintToken("acme"), null, dir, 20, 1);
            PrometheusText before = scrape(server, server.adminToken());

            api.expect(200, "POST", "/api/v1/jobs/drills/run", server.adminToken(), null);
            api.upload("acme", "main", server.mintToken("acme"), null, dir, 30, 2);
            api.expect(200, "POST", "/api/v1/drills/run?tenant=acme", server.adminToken(), null); // not a job run
            PrometheusText after = scrape(server, server.adminToken());

            assertEquals(2, delta(before, after, "cellar_drills_total", "result", "ok"));
            assertEquals(0, delta(before, after, "cellar_drills_total", "result", "failed"));
            assertEquals(1, delta(before, after, "cellar_job_runs_total", "job", "drills", "outcome", "ok"));
            assertTrue(after.sum("cellar_job_last_success_timestamp_seconds", "job", "drills") > 0);
            assertEquals("summary", after.type("cellar_job_duration_seconds"));
        }
    }

    @Test
    void storageErrorsAreCounted() {
        S3ProxyFixture s3 = S3ProxyFixture.start();
        try (TestServer server = TestServer.startOn(s3, Map.of())) {
            String token = server.mintToken("acme");
            PrometheusText before = scrape(server, server.adminToken());
            s3.close();

            HttpResponse<byte[]> r = send(request(server.baseUri(), DB, token).build());
            PrometheusText after = scrape(server, server.adminToken());

            assertEquals(503, r.statusCode(), text(r));
            assertEquals(1, delta(before, after, "cellar_storage_errors_total"));
            assertEquals(1, delta(before, after, "cellar_refusals_total", "reason", "storage_unavailable"));
        }
    }

    private static HttpResponse<byte[]> upload(TestServer server, String token, byte[] body) {
        return send(request(server.baseUri(), DB, token).header("Content-Type", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofByteArray(body)).build());
    }

    private static int status(TestServer server, String path, String token) {
        return send(request(server.baseUri(), path, token).build()).statusCode();
    }

    static PrometheusText scrape(TestServer server, String token) {
        HttpResponse<byte[]> r = send(request(server.baseUri(), "/metrics", token).build());
        assertEquals(200, r.statusCode(), text(r));
        return PrometheusText.parse(text(r));
    }

    private static PrometheusText scrapeUntil(TestServer server, java.util.function.Predicate<PrometheusText> ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        PrometheusText text = scrape(server, server.adminToken());
        while (!ok.test(text)) {
            assertTrue(System.nanoTime() < deadline, "the fleet figures never came:\n" + text.find("cellar_databases"));
            Thread.sleep(50);
            text = scrape(server, server.adminToken());
        }
        return text;
    }

    private static long delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return Math.round(after.sum(name, labels) - before.sum(name, labels));
    }
}
