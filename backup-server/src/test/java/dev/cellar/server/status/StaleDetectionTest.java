package dev.cellar.server.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.ContentDigest;
import dev.cellar.server.alert.AlertSettings;
import dev.cellar.server.alert.Alerts;
import dev.cellar.server.alert.StatusWatch;
import dev.cellar.server.http.Json;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.snapshot.BodyFormat;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotIngest;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.s3.S3BlobStore;
import dev.cellar.server.storage.s3.S3Settings;
import dev.cellar.server.tenant.TenantWalk;
import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stale detection over a real S3Proxy bucket and real SQLite images, with a clock the test moves. */
class StaleDetectionTest {
    private static final Instant T0 = Instant.parse("2026-03-01T03:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofHours(26);
    private static S3ProxyFixture s3;
    private S3Settings settings;
    private BlobStore store;
    private final MutableClock clock = new MutableClock(T0);
    private SnapshotIngest ingest;
    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void openStore() {
        settings = s3.storeSettings().withPrefix("stale-" + UUID.randomUUID() + "/");
        store = S3BlobStore.connect(settings);
        ingest = new SnapshotIngest(store, new SnapshotCatalog(store), 1 << 30, clock,
                new UploadConfirmations(store, Json.mapper()));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** What a server over this bucket concludes; a new one each time, as a rebuilt server would be. */
    private BackupStatus freshServer(BlobStore over) {
        return new BackupStatus(new SnapshotCatalog(over), new UploadConfirmations(over, Json.mapper()),
                new MachineRegistry(over, Json.mapper(), clock), STALE_AFTER, clock);
    }

    private Path database(String name, long seed) throws Exception {
        return TestDatabases.create(dir.resolve(name + "-" + seed + ".sqlite3"), 20, seed);
    }

    private boolean upload(String tenant, String database, Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return ingest.ingest(new SnapshotIngest.Upload(tenant, database, BodyFormat.SQLITE,
                    Optional.<ContentDigest>empty(), "m-1"), in).created();
        }
    }

    @Test
    void aDatabaseIsStaleOnceNoUploadArrivedWithinStaleAfter() throws Exception {
        upload("acme", "app", database("app", 1));

        clock.set(T0.plus(STALE_AFTER));
        DatabaseStatus fresh = freshServer(store).of("acme", "app");
        assertEquals(new DatabaseStatus("ok", T0, null), fresh);

        clock.set(T0.plus(STALE_AFTER).plusSeconds(1));
        DatabaseStatus stale = freshServer(store).of("acme", "app");
        assertEquals("stale", stale.status());
        assertEquals(T0, stale.lastBackupAt());
        assertEquals("last backup at 2026-03-01T03:00:00Z, 26h 0m ago; expected within 26h 0m"
                + " (BACKUP_STALE_AFTER)", stale.reason());
    }

    @Test
    void anUnchangedUploadCountsAsABackupAndARebuiltServerSeesIt() throws Exception {
        Path image = database("app", 2);
        assertTrue(upload("acme", "app", image));
        clock.advance(Duration.ofHours(20));
        assertFalse(upload("acme", "app", image), "the same image again stores nothing");
        Instant confirmed = clock.instant();
        clock.advance(Duration.ofHours(20));

        try (S3BlobStore rebuilt = S3BlobStore.connect(settings)) {
            assertEquals(new DatabaseStatus("ok", confirmed, null), freshServer(rebuilt).of("acme", "app"));
        }
        clock.advance(Duration.ofHours(7));
        assertEquals("stale", freshServer(store).of("acme", "app").status());
        assertEquals(1, new SnapshotCatalog(store).list("acme", "app", 10, null).snapshots().size(),
                "a confirmation is no snapshot");
    }

    @Test
    void aNewerSnapshotWinsOverAnOlderConfirmation() throws Exception {
        Path image = database("app", 3);
        upload("acme", "app", image);
        clock.advance(Duration.ofHours(1));
        upload("acme", "app", image);
        clock.advance(Duration.ofHours(1));
        TestDatabases.addRows(image, 5, 4);
        upload("acme", "app", image);

        assertEquals(T0.plus(Duration.ofHours(2)), freshServer(store).of("acme", "app").lastBackupAt());
    }

    @Test
    void theStaleJobWalksEveryTenantAndCountsEachStatus() throws Exception {
        upload("alpha", "fresh", database("a1", 5));
        upload("alpha", "quiet", database("a2", 6));
        Path beta = database("b1", 7);
        upload("beta", "app", beta);
        store.put("tenants/gamma/tenant.json", "{}".getBytes()); // a tenant without databases
        clock.advance(Duration.ofHours(30));
        upload("alpha", "fresh", database("a1b", 8));
        assertFalse(upload("beta", "app", beta), "unchanged: a confirmation, no snapshot");

        JobReport report;
        try (Alerts none = new Alerts(AlertSettings.NONE);
             StatusWatch watch = new StatusWatch(store, Json.mapper(), new SnapshotCatalog(store),
                     new MachineRegistry(store, Json.mapper(), clock), freshServer(store), none, clock)) {
            report = new StaleJob(new TenantWalk(store), watch).runOnce();
        }

        assertEquals(Map.of("databases", 3L, "ok", 2L, "stale", 1L, "failing", 0L, "never", 0L), report.counts());
        assertEquals(List.of("databases", "ok", "stale", "failing", "never"), List.copyOf(report.counts().keySet()));
        assertEquals(List.of(), report.errors());
        assertEquals("ok", report.outcome());
    }

    @Test
    void aTenantIsAsBadAsItsWorstDatabase() {
        DatabaseStatus never = new DatabaseStatus("never", null, "no snapshot stored yet");
        DatabaseStatus ok = new DatabaseStatus("ok", T0, null);
        DatabaseStatus stale = new DatabaseStatus("stale", T0, "late");

        assertEquals("never", BackupStatus.worst(List.of()));
        assertEquals("never", BackupStatus.worst(List.of(never)));
        assertEquals("ok", BackupStatus.worst(List.of(never, ok)));
        assertEquals("stale", BackupStatus.worst(List.of(ok, stale, never)));
        assertNull(ok.reason());
    }
}
