package dev.cellar.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.drill.Drill;
import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.http.Json;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.retention.RetentionPolicies;
import dev.cellar.server.retention.RetentionPolicy;
import dev.cellar.server.retention.RetentionRun;
import dev.cellar.server.snapshot.BodyFormat;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotIngest;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import dev.cellar.server.tenant.TenantWalk;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestDatabases;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention and drill jobs as the scheduler calls them ({@link NightlyJob#runOnce()}), over the whole fleet
 * on local files: every tenant's every database, counted in the report.
 */
class NightlyJobsTest {
    @TempDir
    Path root;

    @Test
    void runOnceCoversEveryTenantAndDatabaseAndReportsWhatItDid() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-01T10:00:00Z"));
        try (LocalBlobStore store = new LocalBlobStore(root.resolve("store"))) {
            SnapshotCatalog catalog = new SnapshotCatalog(store);
            TenantRegistry tenants = new TenantRegistry(store, Json.mapper(), clock);
            SnapshotIngest ingest = new SnapshotIngest(store, catalog, 1 << 30, clock,
                    new UploadConfirmations(store, Json.mapper()));
            for (String tenant : List.of("acme", "bolt")) {
                tenants.ensure(tenant);
                for (String database : List.of("app", "queue")) {
                    for (int hour = 0; hour < 5; hour++) {
                        Path db = TestDatabases.create(root.resolve(tenant + database + hour + ".sqlite3"), 3, hour);
                        try (InputStream body = Files.newInputStream(db)) {
                            ingest.ingest(new SnapshotIngest.Upload(tenant, database, BodyFormat.SQLITE,
                                    Optional.empty(), null), body);
                        }
                        clock.advance(Duration.ofHours(1));
                    }
                }
            }
            NightlyJob retention = new RetentionRun(new TenantWalk(store), catalog, new RetentionPolicies(store, Json.mapper(),
                    new RetentionPolicy(2, 0, 0, 0, 0, 0)), new RestoreRequests(store, Json.mapper(), clock, Duration.ofMinutes(10)));
            NightlyJob drills = new DrillRun(new TenantWalk(store), catalog, new Drill(store, root.resolve("drills")), 2, clock);

            assertEquals("retention", retention.name());
            JobReport kept = retention.runOnce();
            assertEquals(Map.of("tenants", 2L, "databases", 4L, "kept", 8L, "deleted", 12L), kept.counts());
            assertEquals("ok", kept.outcome());

            assertEquals("drills", drills.name());
            JobReport drilled = drills.runOnce();
            assertEquals(Map.of("databases", 4L, "upToDate", 0L, "ok", 4L, "failed", 0L, "notRun", 0L),
                    drilled.counts());
            assertEquals(4L, drills.runOnce().counts().get("upToDate"), "a second night drills nothing new");
        }
    }
}
