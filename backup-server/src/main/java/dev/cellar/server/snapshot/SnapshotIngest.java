package dev.cellar.server.snapshot;

import dev.cellar.core.ContentDigest;
import dev.cellar.core.NotSqliteException;
import dev.cellar.core.SizeLimitExceededException;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.SqliteImageInspector;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.commons.io.output.TeeOutputStream;

/**
 * Turns an upload body into a stored snapshot, in one streaming pass: the body is decompressed as it arrives, the
 * image is hashed and checked, and the stored (zstd) form goes into a staged blob that becomes visible only after
 * every check passed; the index marker written last makes it a version. Memory is a few buffers whatever the size.
 */
public final class SnapshotIngest {
    private final BlobStore store;
    private final SnapshotCatalog catalog;
    private final long maxBytes;
    private final Clock clock;
    private final UploadConfirmations confirmations;
    private final UploadLimits limits;
    /** Null unless {@code BACKUP_VERIFY_ON_UPLOAD=quick}. */
    private final UploadVerifier verifier;

    /** What an upload produced: a new snapshot, or the latest one when the content was the same. */
    public record Result(Snapshot snapshot, boolean created) {
    }

    /**
     * One upload's request, as the HTTP layer read it.
     *
     * @param imageSha256 the image's SHA-256 declared up front ({@code X-Snapshot-Sha256}, lower-case hex): the
     *                    version is then known before the body, and the body goes straight to its key
     */
    public record Upload(String tenant, String database, BodyFormat format, Optional<ContentDigest> digest,
                         String machineId, Optional<String> imageSha256) {
        public Upload(String tenant, String database, BodyFormat format, Optional<ContentDigest> digest,
                      String machineId) {
            this(tenant, database, format, digest, machineId, Optional.empty());
        }
    }

    public SnapshotIngest(BlobStore store, SnapshotCatalog catalog, long maxBytes, Clock clock,
                          UploadConfirmations confirmations) {
        this(store, catalog, maxBytes, clock, confirmations, UploadLimits.DEFAULT, null);
    }

    /** @param verifier checks each image with {@code PRAGMA quick_check} before it is committed; null for none */
    public SnapshotIngest(BlobStore store, SnapshotCatalog catalog, long maxBytes, Clock clock,
                          UploadConfirmations confirmations, UploadLimits limits, UploadVerifier verifier) {
        this.store = store;
        this.limits = limits;
        this.verifier = verifier;
        this.confirmations = confirmations;
        this.catalog = catalog;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Without a declared image digest the stored form is staged and copied to its version's key at the end. With
     * one ({@link Upload#imageSha256}) the version is fixed before the body arrives and the stored form goes
     * straight to its key; either way the index marker, the commit point, is written only after every check passed,
     * and a refused body leaves nothing behind.
     *
     * @throws ApiError for bodies that are empty, too large, corrupt, not SQLite or whose digest does not match
     */
    public Result ingest(Upload upload, InputStream rawBody) {
        // the body is hashed only when its digest is to be checked: the image's own SHA-256 is taken anyway
        MessageDigest bodyDigest = upload.digest().map(ContentDigest::newMessageDigest).orElse(null);
        BodyInput body = new BodyInput(rawBody, maxBytes, bodyDigest,
                new UploadPace(limits, System::nanoTime));
        SqliteImageInspector image = new SqliteImageInspector(maxBytes);
        Optional<Snapshot> before = upload.imageSha256().isPresent()
                ? catalog.latest(upload.tenant(), upload.database()) : Optional.empty();
        // the same image as the latest is only verified, never stored: the answer will be "unchanged"
        boolean sameAsLatest = before.isPresent() && before.get().sha256().equals(upload.imageSha256().get());
        SnapshotVersion declared = upload.imageSha256().filter(sha -> !sameAsLatest)
                .map(sha -> SnapshotVersion.of(stamp(before), sha)).orElse(null);
        try (StagedBlob staged = sameAsLatest ? new DiscardedBlob()
                : declared == null ? store.stage()
                : store.stageAt(SnapshotCatalog.dataKey(upload.tenant(), upload.database(), declared.toString()));
             UploadVerifier.Spool spool = verifier == null || sameAsLatest ? null : verifier.open()) {
            try {
                IngestCopy.copy(upload.format(), body,
                        spool == null ? image : new TeeOutputStream(image, spool.output()), staged.output());
            } catch (UploadVerifier.SpoolFullException e) {
                throw ApiError.unavailable("busy", e.getMessage() + "; retry later", 5);
            } catch (SizeLimitExceededException e) {
                throw ApiError.tooLarge(e.getMessage() + " (BACKUP_MAX_SNAPSHOT_BYTES)");
            } catch (NotSqliteException e) {
                throw ApiError.unprocessable("not_sqlite", e.getMessage());
            } catch (UploadPace.TooSlowException e) {
                throw ApiError.timeout(e.code(), e.getMessage());
            } catch (ClientBodyException e) {
                throw ApiError.badRequest("incomplete_body", e.getMessage());
            } catch (IOException e) {
                throw ApiError.unprocessable("corrupt_body", "the " + upload.format().mediaType()
                        + " body could not be decoded: " + e.getMessage());
            }
            if (body.count() == 0) {
                throw ApiError.badRequest("empty_body", "the request body is empty");
            }
            SqliteImageInspector.Result checked;
            try {
                checked = image.finish();
            } catch (NotSqliteException e) {
                throw ApiError.unprocessable("not_sqlite", e.getMessage());
            }
            if (upload.digest().isPresent() && !upload.digest().get().matches(body.digest())) {
                throw ApiError.unprocessable("digest_mismatch",
                        "the body does not match its Content-Digest " + upload.digest().get().algorithm());
            }
            if (upload.imageSha256().isPresent() && !upload.imageSha256().get().equals(checked.sha256())) {
                throw ApiError.unprocessable("digest_mismatch", "the image's SHA-256 is " + checked.sha256()
                        + ", not the " + upload.imageSha256().get() + " its X-Snapshot-Sha256 header declared");
            }
            Optional<Snapshot> latest = catalog.latest(upload.tenant(), upload.database());
            if (latest.isPresent() && latest.get().sha256().equals(checked.sha256())) {
                // nothing new to store, but the backup works: stale detection must see that it ran
                confirmations.record(upload.tenant(), upload.database(), new UploadConfirmations.Confirmation(
                        clock.instant(), latest.get().version(), upload.machineId()));
                return new Result(latest.get(), false);
            }
            if (sameAsLatest || (declared != null && latest.isPresent()
                    && !declared.createdAt().isAfter(latest.get().createdAt()))) {
                // another upload of this database committed while this one streamed: this version would sort
                // before it (or was never stored), so it is dropped and the retry gets a later one
                throw ApiError.unavailable("busy", "another upload of " + upload.database()
                        + " was stored while this one arrived; retry", 1);
            }
            if (declared != null && clock.instant().isAfter(declared.createdAt().plus(SnapshotCatalog.COMMIT_WITHIN))) {
                // housekeeping may take data this old without a marker for an abandoned upload
                throw ApiError.unavailable("busy", "the upload took longer than " + SnapshotCatalog.COMMIT_WITHIN
                        .toHours() + " h; retry", 1);
            }
            if (spool != null) {
                spool.check("tenant=" + upload.tenant() + " database=" + upload.database());
            }
            SnapshotVersion version = declared != null ? declared : SnapshotVersion.of(stamp(latest), checked.sha256());
            Snapshot snapshot = new Snapshot(upload.tenant(), upload.database(), version.toString(),
                    version.createdAt(), checked.sizeBytes(), staged.size(), checked.sha256(), upload.machineId(),
                    null, null);
            String dataKey = SnapshotCatalog.dataKey(upload.tenant(), upload.database(), version.toString());
            staged.commit(dataKey);
            try {
                catalog.record(snapshot);
            } catch (RuntimeException e) {
                deleteQuietly(dataKey, e); // data without its marker is invisible: take it back now
                throw e;
            }
            return new Result(snapshot, true);
        }
    }

    private void deleteQuietly(String key, RuntimeException cause) {
        try {
            store.delete(key);
        } catch (RuntimeException e) {
            cause.addSuppressed(e); // housekeeping removes it after its grace period
        }
    }

    /**
     * The new version's time: now, but never at or before the current latest, so that a clock stepped back or an
     * instance whose clock is behind cannot make an older upload the one a restore gets.
     */
    private Instant stamp(Optional<Snapshot> latest) {
        Instant now = clock.instant();
        if (latest.isPresent() && !now.isAfter(latest.get().createdAt())) {
            return latest.get().createdAt().plusMillis(1);
        }
        return now;
    }
}
