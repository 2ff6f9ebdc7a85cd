package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.Json;
import dev.cellar.server.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of upload validation: the real ingest pipeline (decompression, SQLite header inspector,
 * length and digest checks, staging) over local storage. An input is a body followed by two choice bytes: whether
 * a {@code Content-Digest} is sent (none, right, wrong) and the body's format. The committed seeds are a tiny real
 * database as raw, gzip and zstd bodies, so the fuzzer starts from bodies that pass.
 */
class UploadFuzzTest {
    /** Small, so that decompression bombs hit the cap in microseconds. */
    private static final long MAX_BYTES = 1 << 20;
    private static Path root;
    private static LocalBlobStore store;
    private static SnapshotCatalog catalog;
    private static SnapshotIngest ingest;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("cellar-upload-fuzz");
        store = new LocalBlobStore(root);
        catalog = new SnapshotCatalog(store);
        ingest = new SnapshotIngest(store, catalog, MAX_BYTES, Clock.systemUTC(),
                new UploadConfirmations(store, Json.mapper()));
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    /** A body is stored whole and readable, or refused with a 4xx and nothing of it left in storage. */
    @FuzzTest(maxDuration = "2m")
    void aBodyIsStoredIntactOrRefusedWithA4xxLeavingNothing(FuzzedDataProvider data) throws IOException {
        BodyFormat format = BodyFormat.values()[data.consumeInt(0, 2)];
        int digestChoice = data.consumeInt(0, 2);
        byte[] body = data.consumeRemainingAsBytes();
        Optional<ContentDigest> digest = Optional.empty();
        if (digestChoice > 0) {
            byte[] sha = Hex.sha256().digest(body);
            sha[0] ^= (byte) (digestChoice - 1); // 1: right, 2: one bit wrong
            digest = Optional.of(ContentDigest.sha256(sha));
        }
        long filesBefore = countFiles();
        SnapshotIngest.Result result;
        try {
            result = ingest.ingest(new SnapshotIngest.Upload("fuzz", "db", format, digest, null),
                    new ByteArrayInputStream(body));
        } catch (ApiError e) {
            assertTrue(e.status() >= 400 && e.status() < 500, e.status() + " " + e.getMessage());
            assertEquals(filesBefore, countFiles(), "a refused body left files behind: " + e.getMessage());
            return;
        }
        assertTrue(digestChoice != 2, "a body with a wrong Content-Digest was accepted");
        Snapshot s = result.snapshot();
        String key = SnapshotCatalog.dataKey("fuzz", "db", s.version());
        try (InputStream stored = Zstd.decompress(store.open(key, 0, s.storedBytes()).orElseThrow())) {
            assertEquals(s.sha256(), Hex.of(Hex.sha256().digest(stored.readAllBytes())), "stored image differs");
        }
    }

    private static long countFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
