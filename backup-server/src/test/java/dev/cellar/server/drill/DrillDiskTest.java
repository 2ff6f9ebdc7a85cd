package dev.cellar.server.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.Zstd;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drill's disk use: it starts only with room to spare, never writes past the recorded size, and cleans up. */
class DrillDiskTest {
    @TempDir
    Path root;

    @Test
    void aDrillThatWouldNotFitOnTheDiskDoesNotRunAndLeavesNothing() throws Exception {
        try (LocalBlobStore store = new LocalBlobStore(root.resolve("store"))) {
            Path work = root.resolve("work");
            Drill drill = new Drill(store, work);
            long free = Files.getFileStore(root).getUsableSpace();
            Snapshot huge = snapshot(free, "00".repeat(32));
            Drill.NotRun e = assertThrows(Drill.NotRun.class, () -> drill.check(huge));
            assertTrue(e.getMessage().startsWith("not enough free disk"), e.getMessage());
            assertEquals(List.of(), list(work));
        }
    }

    @Test
    void anImageLongerThanRecordedIsCutOffAndFailsWithoutFillingTheDisk() throws Exception {
        try (LocalBlobStore store = new LocalBlobStore(root.resolve("store"))) {
            byte[] image = TestDatabases.bytes(TestDatabases.create(root.resolve("db.sqlite3"), 200, 1));
            Snapshot recorded = snapshot(4096, "11".repeat(32)); // the catalog says one page; the object holds more
            ByteArrayOutputStream zst = new ByteArrayOutputStream();
            try (OutputStream z = Zstd.compress(zst, 3, 0)) {
                z.write(image);
            }
            store.put(SnapshotCatalog.dataKey("acme", "app", recorded.version()), zst.toByteArray());
            Path work = root.resolve("work");
            assertEquals("the image is longer than the 4096 bytes recorded", new Drill(store, work).check(recorded));
            assertEquals(List.of(), list(work));
        }
    }

    private static Snapshot snapshot(long sizeBytes, String sha) {
        String version = "20261101T100000000Z-" + sha.substring(0, 8);
        return new Snapshot("acme", "app", version, SnapshotVersion.parse(version).orElseThrow().createdAt(),
                sizeBytes, 10, sha, null, null, null);
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
