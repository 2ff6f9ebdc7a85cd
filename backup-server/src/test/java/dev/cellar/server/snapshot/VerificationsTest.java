package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.storage.local.LocalBlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill verdicts on local files (whose names are limited to 255 bytes): long and non-ASCII failure texts, several
 * verdicts on one version, the newest verified one, and deletion together with the snapshot.
 */
class VerificationsTest {
    @TempDir
    Path root;

    @Test
    void verdictsSurviveLongTextsAndTheNewestOfAVersionWins() {
        try (LocalBlobStore store = new LocalBlobStore(root)) {
            SnapshotCatalog catalog = new SnapshotCatalog(store);
            Verifications verifications = catalog.verifications();
            Snapshot old = snapshot("20261101T100000000Z-aaaaaaaa");
            Snapshot mid = snapshot("20261102T100000000Z-bbbbbbbb");
            Snapshot newest = snapshot("20261103T100000000Z-cccccccc");
            List.of(old, mid, newest).forEach(catalog::record);

            verifications.record(old, Instant.parse("2026-11-04T03:00:00Z"), Verifications.OK);
            String longText = "integrity_check: Tree 4 page 17 cell 3: « défaut » ".repeat(20);
            Verifications.Verdict failed =
                    verifications.record(newest, Instant.parse("2026-11-04T03:00:01Z"), longText);
            assertTrue(longText.startsWith(failed.verification()), failed.verification());
            assertTrue(failed.verification().getBytes(StandardCharsets.UTF_8).length
                    <= Verifications.MAX_TEXT_BYTES);
            // mid failed once, then passed: its newest verdict counts
            verifications.record(mid, Instant.parse("2026-11-04T03:00:00Z"), "SHA-256 mismatch");
            verifications.record(mid, Instant.parse("2026-11-05T03:00:00Z"), Verifications.OK);

            List<Snapshot> page = catalog.list("acme", "app", 10, null).snapshots();
            assertEquals(failed.verification(), page.get(0).verification());
            assertEquals(Verifications.OK, page.get(1).verification());
            assertEquals(Instant.parse("2026-11-05T03:00:00Z"), page.get(1).verifiedAt());
            assertEquals(Verifications.OK, page.get(2).verification());
            assertEquals(newest.version(), verifications.latest("acme", "app").orElseThrow().version());
            assertEquals(mid.version(), verifications.newestVerified("acme", "app", v -> true).orElseThrow()
                    .version());

            assertEquals(old.version(), verifications.newestVerified("acme", "app",
                    v -> !v.version().equals(mid.version())).orElseThrow().version(), "a verdict without snapshot");
            catalog.forget(mid);
            catalog.forget(mid); // a second instance deleting the same snapshot: no error, same state
            assertEquals(Optional.empty(), verifications.of("acme", "app", mid));
            assertEquals(old.version(), verifications.newestVerified("acme", "app", v -> true).orElseThrow()
                    .version());
            List<Snapshot> after = catalog.list("acme", "app", 10, null).snapshots();
            assertEquals(List.of(newest.version(), old.version()), after.stream().map(Snapshot::version).toList());
            assertNull(catalog.list("other", "app", 10, null).next());
        }
    }

    private static Snapshot snapshot(String version) {
        SnapshotVersion v = SnapshotVersion.parse(version).orElseThrow();
        return new Snapshot("acme", "app", version, v.createdAt(), 4096, 100, v.shaPrefix().repeat(8), null, null,
                null);
    }
}
