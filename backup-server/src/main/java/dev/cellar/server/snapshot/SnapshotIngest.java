package dev.cellar.server.snapshot;

import dev.cellar.core.ContentDigest;
import dev.cellar.core.Hex;
import dev.cellar.core.NotSqliteException;
import dev.cellar.core.SizeLimitExceededException;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.SqliteImageInspector;
import dev.cellar.core.Zstd;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.commons.io.input.TeeInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.apache.commons.io.output.TeeOutputStream;

/**
 * Turns an upload body into a stored snapshot, in one streaming pass: the body is decompressed as it arrives, the
 * image is hashed and checked, and the stored (zstd) form goes into a staged blob that becomes visible only after
 * every check passed. Memory is a few buffers whatever the size.
 */
public final class SnapshotIngest {
    /** Compression level the server uses for bodies it must compress itself (gzip and raw uploads). */
    private static final int SERVER_ZSTD_LEVEL = 3;
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

    /** One upload's request, as the HTTP layer read it. */
    public record Upload(String tenant, String database, BodyFormat format, Optional<ContentDigest> digest,
                         String machineId) {
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
     * @throws ApiError for bodies that are empty, too large, corrupt, not SQLite or whose digest does not match
     */
    public Result ingest(Upload upload, InputStream rawBody) {
        MessageDigest bodyDigest = upload.digest().map(ContentDigest::newMessageDigest).orElseGet(Hex::sha256);
        BodyInput body = new BodyInput(rawBody, maxBytes, bodyDigest,
                new UploadPace(limits, System::nanoTime));
        SqliteImageInspector image = new SqliteImageInspector(maxBytes);
        try (StagedBlob staged = store.stage(); UploadVerifier.Spool spool = verifier == null ? null : verifier.open()) {
            try {
                copy(upload.format(), body, spool == null ? image : new TeeOutputStream(image, spool.output()),
                        staged.output());
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
            Optional<Snapshot> latest = catalog.latest(upload.tenant(), upload.database());
            if (latest.isPresent() && latest.get().sha256().equals(checked.sha256())) {
                // nothing new to store, but the backup works: stale detection must see that it ran
                confirmations.record(upload.tenant(), upload.database(), new UploadConfirmations.Confirmation(
                        clock.instant(), latest.get().version(), upload.machineId()));
                return new Result(latest.get(), false);
            }
            if (spool != null) {
                spool.check("tenant=" + upload.tenant() + " database=" + upload.database());
            }
            SnapshotVersion version = SnapshotVersion.of(stamp(latest), checked.sha256());
            Snapshot snapshot = new Snapshot(upload.tenant(), upload.database(), version.toString(),
                    version.createdAt(), checked.sizeBytes(), staged.size(), checked.sha256(), upload.machineId(),
                    null, null);
            staged.commit(SnapshotCatalog.dataKey(upload.tenant(), upload.database(), version.toString()));
            catalog.record(snapshot);
            return new Result(snapshot, true);
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

    /** Streams the body into the inspector (the image) and into {@code stored} (the zstd form). */
    private static void copy(BodyFormat format, InputStream body, OutputStream image, OutputStream stored)
            throws IOException {
        if (format == BodyFormat.ZSTD) {
            // the body already is the stored form: keep it as sent, decompress a copy for the checks
            TeeInputStream tee = new TeeInputStream(body, stored, false);
            try (InputStream decompressed = Zstd.decompress(CloseShieldInputStream.wrap(tee))) {
                decompressed.transferTo(image);
            }
            if (tee.transferTo(OutputStream.nullOutputStream()) > 0) {
                throw new IOException("bytes after the last zstd frame");
            }
            return;
        }
        InputStream decoded = format == BodyFormat.GZIP
                ? GzipCompressorInputStream.builder().setInputStream(body).setDecompressConcatenated(true).get()
                : body;
        try (OutputStream compressed = Zstd.compress(CloseShieldOutputStream.wrap(stored), SERVER_ZSTD_LEVEL, 0)) {
            // the inspector first, so a body that is not SQLite is refused before it is compressed
            decoded.transferTo(new TeeOutputStream(image, compressed));
        }
    }
}
