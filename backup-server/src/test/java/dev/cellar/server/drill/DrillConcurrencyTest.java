package dev.cellar.server.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.http.Json;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.snapshot.BodyFormat;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotIngest;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import dev.cellar.server.tenant.TenantWalk;
import dev.cellar.server.testing.TestClock;
import dev.cellar.server.testing.TestDatabases;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code BACKUP_DRILL_CONCURRENCY} drills run at once, and never more: every snapshot download waits at a barrier
 * for a second one, so with a concurrency of two all drills pass in pairs, and a third download at once would be
 * counted.
 */
class DrillConcurrencyTest {
    @TempDir
    Path root;

    @Test
    void drillsRunInParallelUpToTheLimitAndNeverBeyond() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-01T10:00:00Z"));
        try (LocalBlobStore local = new LocalBlobStore(root.resolve("store"))) {
            CountingStore store = new CountingStore(local, new CyclicBarrier(2));
            SnapshotCatalog catalog = new SnapshotCatalog(store);
            TenantRegistry tenants = new TenantRegistry(store, Json.mapper(), clock);
            SnapshotIngest ingest = new SnapshotIngest(store, catalog, 1 << 30, clock,
                    new UploadConfirmations(store, Json.mapper()));
            for (int t = 0; t < 3; t++) {
                for (String database : List.of("app", "queue")) {
                    Path db = TestDatabases.create(root.resolve(t + database + ".sqlite3"), 3, t);
                    try (InputStream body = Files.newInputStream(db)) {
                        ingest.ingest(new SnapshotIngest.Upload("tenant-" + t, database, BodyFormat.SQLITE,
                                Optional.empty(), null), body);
                    }
                }
            }
            DrillRun drills = new DrillRun(new TenantWalk(store), catalog, new Drill(store, root.resolve("drills")), 2, clock);

            JobReport report = drills.runOnce();

            assertEquals(6L, report.counts().get("ok"), report.toString());
            assertEquals(2, store.mostAtOnce.get());
        }
    }

    /** A real store whose snapshot downloads are counted while open and meet at a barrier on their first read. */
    private static final class CountingStore implements BlobStore {
        private final BlobStore inner;
        private final CyclicBarrier barrier;
        private final AtomicInteger open = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        CountingStore(BlobStore inner, CyclicBarrier barrier) {
            this.inner = inner;
            this.barrier = barrier;
        }

        @Override
        public Optional<InputStream> open(String key, long offset, long length) {
            return inner.open(key, offset, length).map(in -> {
                mostAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
                return new FilterInputStream(in) {
                    private boolean met;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (!met) {
                            met = true;
                            try {
                                barrier.await(60, TimeUnit.SECONDS); // generous: only a missing partner trips it
                            } catch (Exception e) {
                                throw new IOException("no second drill came", e);
                            }
                        }
                        return super.read(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        open.decrementAndGet();
                        super.close();
                    }
                };
            });
        }

        @Override
        public StagedBlob stage() {
            return inner.stage();
        }

        @Override
        public void put(String key, byte[] content) {
            inner.put(key, content);
        }

        @Override
        public boolean putIfAbsent(String key, byte[] content) {
            return inner.putIfAbsent(key, content);
        }

        @Override
        public Optional<byte[]> read(String key) {
            return inner.read(key);
        }

        @Override
        public OptionalLong size(String key) {
            return inner.size(key);
        }

        @Override
        public BlobPage list(String folder, String startAfter, int max) {
            return inner.list(folder, startAfter, max);
        }

        @Override
        public int discardStagedBefore(Instant cutoff) {
            return inner.discardStagedBefore(cutoff);
        }

        @Override
        public List<String> folders(String folder) {
            return inner.folders(folder);
        }

        @Override
        public void delete(String key) {
            inner.delete(key);
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
