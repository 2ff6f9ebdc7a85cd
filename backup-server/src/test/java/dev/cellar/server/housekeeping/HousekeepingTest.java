package dev.cellar.server.housekeeping;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.http.Json;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.jobs.JobRun;
import dev.cellar.server.jobs.JobRuns;
import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.restore.RestoreRequest;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.snapshot.BodyFormat;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotIngest;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Housekeeping over a real S3Proxy bucket, with a clock the test moves through days and months. */
class HousekeepingTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String VERSION = "20260301T030000000Z-0123abcd";
    private static S3ProxyFixture s3;
    private S3Settings settings;
    private BlobStore store;
    private MutableClock clock;
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
        settings = s3.storeSettings().withPrefix("hk-" + UUID.randomUUID() + "/").withPartSizes(5L << 20, 5L << 20);
        store = S3BlobStore.connect(settings);
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS)); // staged uploads carry real times
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private HousekeepingJob job(BlobStore over) {
        return new HousekeepingJob(over, new TenantWalk(over), new RestoreRequests(over, JSON, clock, Duration.ofMinutes(10)),
                new MachineRegistry(over, JSON, clock), clock);
    }

    private List<String> keys(String folder) {
        return store.listAll(folder).stream().map(BlobPage.Entry::key).toList();
    }

    @Test
    void finishedRequestsAndSilentMachinesOlderThan30DaysGoAndEverythingElseStays() {
        RestoreRequests requests = new RestoreRequests(store, JSON, clock, Duration.ofMinutes(10));
        MachineRegistry machines = new MachineRegistry(store, JSON, clock);
        Instant start = clock.instant();
        String completed = requests.create("acme", "app", VERSION, "latest", null, false).id();
        requests.claim("acme", completed, "m-old");
        requests.finish("acme", completed, RestoreRequest.COMPLETED, "restored", "m-old");
        String cancelled = requests.create("acme", "logs", VERSION, VERSION, null, false).id();
        requests.cancel("acme", cancelled, "not needed");
        String pending = requests.create("acme", "jobs", VERSION, VERSION, null, false).id();
        machines.heartbeat("acme", "m-old", "ams", "0.1.0", List.of("app"));
        clock.advance(Duration.ofDays(20));
        String recent = requests.create("acme", "cache", VERSION, VERSION, null, false).id();
        requests.claim("acme", recent, "m-new");
        requests.finish("acme", recent, RestoreRequest.FAILED, "disk full", "m-new");
        machines.heartbeat("acme", "m-new", "ams", "0.1.0", List.of("app"));
        clock.set(start.plus(Duration.ofDays(30)).plusMillis(1));

        JobReport report = job(store).runOnce();

        assertEquals(2L, report.counts().get("restoreRequestsRemoved"), report.toString());
        assertEquals(1L, report.counts().get("machinesRemoved"), report.toString());
        assertEquals(Optional.empty(), requests.find("acme", completed));
        assertEquals(Optional.empty(), requests.find("acme", cancelled));
        assertEquals(List.of(), keys("tenants/acme/restores/" + completed + "/"), "no object of it is left");
        assertEquals(RestoreRequest.PENDING, requests.find("acme", pending).orElseThrow().state());
        assertEquals(RestoreRequest.FAILED, requests.find("acme", recent).orElseThrow().state());
        assertEquals(List.of("m-new"), machines.list("acme").stream().map(MachineRecord::machineId).toList());

        JobReport again = job(store).runOnce();
        assertEquals(0L, again.counts().get("restoreRequestsRemoved"));
        assertEquals(0L, again.counts().get("machinesRemoved"));
        assertEquals("ok", again.outcome(), again.toString());
    }

    @Test
    void objectsNoCatalogEntryExplainsAreCountedAndNeverDeleted() throws Exception {
        Path image = TestDatabases.create(dir.resolve("app.sqlite3"), 10, 1);
        SnapshotIngest ingest = new SnapshotIngest(store, new SnapshotCatalog(store), 1 << 30, clock,
                new UploadConfirmations(store, JSON));
        for (int i = 0; i < 2; i++) { // a snapshot, then an "unchanged" confirmation
            try (InputStream in = Files.newInputStream(image)) {
                ingest.ingest(new SnapshotIngest.Upload("acme", "app", BodyFormat.SQLITE,
                        Optional.<ContentDigest>empty(), "m-1"), in);
            }
        }
        new MachineRegistry(store, JSON, clock).heartbeat("acme", "m-1", "ams", "0.1.0", List.of("app"));
        new RestoreRequests(store, JSON, clock, Duration.ofMinutes(10)).create("acme", "app", VERSION, "latest", null, false);
        store.put("tenants/acme/tenant.json", "{}".getBytes(UTF_8));
        new JobRuns(store, JSON).record(new JobRun("housekeeping", JobRun.ADMIN, null, clock.instant(),
                clock.instant(), "ok", Map.of(), List.of(), "i-1"));
        // the unexplained ones
        // younger than the grace: it may be an upload between its data and its marker
        String dataOnly = SnapshotCatalog.dataKey("acme", "app", SnapshotVersion.of(clock.instant(), "a".repeat(64))
                .toString());
        store.put(dataOnly, new byte[] {1, 2, 3});
        new SnapshotCatalog(store).record(new Snapshot("acme", "other", "20260101T000000000Z-bbbbbbbb",
                Instant.parse("2026-01-01T00:00:00Z"), 10, 5, "b".repeat(64), null, null, null));
        store.put("tenants/acme/notes.txt", new byte[1]);
        store.put("stray.bin", new byte[1]);
        List<String> before = keys("");

        JobReport report = job(store).runOnce();

        assertEquals(1L, report.counts().get("dataWithoutMarker"), report.toString());
        assertEquals(1L, report.counts().get("markerWithoutData"), report.toString());
        assertEquals(2L, report.counts().get("unknownKeys"), report.toString());
        assertEquals(4L, report.counts().get("unexplainedObjects"), report.toString());
        assertEquals((long) before.size(), report.counts().get("objectsScanned"));
        List<String> after = keys("");
        assertTrue(after.containsAll(before), "nothing was deleted: " + after);
        assertTrue(after.contains(dataOnly));
    }

    @Test
    void snapshotDataWithoutItsMarkerIsRemovedOnceItsVersionIsPastTheGrace() {
        SnapshotCatalog catalog = new SnapshotCatalog(store);
        Instant now = clock.instant();
        String old = SnapshotCatalog.dataKey("acme", "app", SnapshotVersion.of(now.minus(Duration.ofHours(25)),
                "c".repeat(64)).toString());
        String recent = SnapshotCatalog.dataKey("acme", "app", SnapshotVersion.of(now.minus(Duration.ofHours(23)),
                "d".repeat(64)).toString());
        Snapshot committed = new Snapshot("acme", "app", SnapshotVersion.of(now.minus(Duration.ofDays(3)),
                "e".repeat(64)).toString(), now.minus(Duration.ofDays(3)), 10, 3, "e".repeat(64), null, null, null);
        String committedData = SnapshotCatalog.dataKey("acme", "app", committed.version());
        for (String key : List.of(old, recent, committedData)) {
            store.put(key, new byte[] {1, 2, 3});
        }
        catalog.record(committed);

        JobReport report = job(store).runOnce();

        assertEquals(2L, report.counts().get("dataWithoutMarker"), report.toString());
        assertEquals(1L, report.counts().get("uncommittedDataRemoved"), report.toString());
        List<String> left = keys("tenants/acme/databases/app/snapshots/");
        assertEquals(List.of(committedData, recent).stream().sorted().toList(), left);
        assertEquals(List.of(committed.version()), catalog.list("acme", "app", 10, null).snapshots().stream()
                .map(Snapshot::version).toList());
        clock.advance(Duration.ofHours(2));
        assertEquals(1L, job(store).runOnce().counts().get("uncommittedDataRemoved"), "the recent one, later");
        assertEquals(List.of(committedData), keys("tenants/acme/databases/app/snapshots/"));
    }

    @Test
    void stagedUploadsAbandonedForADayAreDiscarded() throws Exception {
        StagedBlob abandoned = store.stage();
        abandoned.output().write(new byte[6 << 20]); // one part is in the bucket
        try {
            assertEquals(0L, job(store).runOnce().counts().get("stagedUploadsDiscarded"));
            clock.advance(Duration.ofHours(24).plusMinutes(5));
            assertEquals(1L, job(store).runOnce().counts().get("stagedUploadsDiscarded"));
            assertEquals(0L, job(store).runOnce().counts().get("stagedUploadsDiscarded"));
        } finally {
            abandoned.close();
        }
    }

    @Test
    void twoInstancesRunningItAtOnceBothSucceedAndLeaveOneEndState() throws Exception {
        RestoreRequests requests = new RestoreRequests(store, JSON, clock, Duration.ofMinutes(10));
        Instant start = clock.instant();
        for (int i = 0; i < 6; i++) {
            String id = requests.create("t" + i, "app", VERSION, "latest", null, false).id();
            requests.cancel("t" + i, id, "test");
            new MachineRegistry(store, JSON, clock).heartbeat("t" + i, "m-" + i, "ams", "0.1.0", List.of("app"));
        }
        clock.set(start.plus(Duration.ofDays(31)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (S3BlobStore other = S3BlobStore.connect(settings)) {
            Future<JobReport> a = pool.submit(() -> job(store).runOnce());
            Future<JobReport> b = pool.submit(() -> job(other).runOnce());
            JobReport ra = a.get();
            JobReport rb = b.get();

            assertEquals("ok", ra.outcome(), ra.toString());
            assertEquals("ok", rb.outcome(), rb.toString());
            assertTrue(ra.counts().get("restoreRequestsRemoved") + rb.counts().get("restoreRequestsRemoved") >= 6);
            for (int i = 0; i < 6; i++) {
                assertEquals(List.of(), keys("tenants/t" + i + "/restores/"));
                assertEquals(List.of(), keys("tenants/t" + i + "/machines/"));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
