package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.client.SnapshotResponse;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.Streams;
import dev.cellar.agent.progress.CountingInputStream;
import dev.cellar.agent.progress.Phases;
import dev.cellar.agent.progress.Progress;
import dev.cellar.agent.files.TempFiles;
import com.github.luben.zstd.ZstdIOException;
import dev.cellar.core.NotSqliteException;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.SqliteChecks;
import dev.cellar.core.SqliteImageInspector;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Download → verify → decompress into a temp file beside the target → {@code integrity_check} → install. Every
 * check runs before the target is touched, so a failed restore leaves it exactly as it was. Download,
 * decompression and writing overlap ({@link RestoreStages}).
 */
public final class Restorer {
    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    private final BackupClient client;
    private final Retrier retrier;
    private final int maxFruitlessResumes;
    private final SpaceBudget budget;
    private final Installer installer;
    private final SkippedVersions skipped = new SkippedVersions();

    /** Runs once the image has passed every check, just before it is put in place. */
    @FunctionalInterface
    public interface BeforeInstall {
        BeforeInstall NOTHING = version -> { };

        void verified(String version) throws IOException;
    }

    public Restorer(BackupClient client, Retrier retrier, int maxFruitlessResumes, SpaceBudget budget) {
        this.client = client;
        this.retrier = retrier;
        this.maxFruitlessResumes = maxFruitlessResumes;
        this.budget = budget;
        this.installer = new Installer(budget);
    }

    /**
     * Restores {@code database} as {@code selector} picks it into {@code target}.
     *
     * @param force replace an existing target without keeping a pre-restore copy
     * @throws NothingToRestoreException     when the server holds no matching snapshot
     * @throws RestoreVerificationException when the snapshot fails a check; the target is untouched
     */
    public RestoreResult restore(String database, SnapshotSelector selector, Path target, boolean force)
            throws IOException, SQLException, ApiException, InterruptedException, NothingToRestoreException {
        return restore(database, selector, target, force, BeforeInstall.NOTHING);
    }

    /** As {@link #restore(String, SnapshotSelector, Path, boolean)}, telling {@code hook} before the install. */
    public RestoreResult restore(String database, SnapshotSelector selector, Path target, boolean force,
                                 BeforeInstall hook)
            throws IOException, SQLException, ApiException, InterruptedException, NothingToRestoreException {
        try (Verified verified = fetch(database, selector, target.toAbsolutePath().getParent())) {
            hook.verified(verified.version());
            return install(verified, target, force);
        }
    }

    /**
     * At boot, into a missing {@code target}: the newest snapshot that passes verification, an older one when the
     * newest fail it (at most {@value NewestVerifying#MAX_TRIED} tried; each skipped version is logged and kept in
     * {@link #skippedVersions()}).
     *
     * @throws RestoreVerificationException when snapshots exist but none of those tried verifies
     */
    public RestoreResult restoreNewestVerifying(String database, Path target)
            throws IOException, SQLException, ApiException, InterruptedException, NothingToRestoreException {
        return new NewestVerifying(this, client, retrier, skipped).restore(database, target);
    }

    /** The versions boot restores of this process skipped, for the heartbeats. */
    public SkippedVersions skippedVersions() {
        return skipped;
    }

    /**
     * A snapshot downloaded and checked, in a temp file in the folder of its target; closing deletes the file.
     *
     * @param storedBytes the compressed bytes downloaded
     * @param phases      how long the download and the checks took; the install adds its own
     */
    public record Verified(String database, String version, String sha256, long sizeBytes, long storedBytes,
                           Path image, int resumes, Instant started, Phases phases) implements AutoCloseable {
        @Override
        public void close() {
            TempFiles.deleteQuietly(image);
        }
    }

    /**
     * Downloads {@code database} as {@code selector} picks it into a temp file in {@code folder} and verifies it
     * completely; nothing outside that temp file is touched, whatever fails.
     *
     * @throws NothingToRestoreException     when the server holds no matching snapshot
     * @throws RestoreVerificationException when the snapshot fails a check
     */
    public Verified fetch(String database, SnapshotSelector selector, Path folder)
            throws IOException, SQLException, ApiException, InterruptedException, NothingToRestoreException {
        Instant start = Instant.now();
        Phases phases = new Phases();
        SnapshotResponse first;
        try {
            first = retrier.call("download of " + database, () -> client.download(database, selector, 0));
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw new NothingToRestoreException("the server holds no snapshot of " + database
                        + (selector.version().isPresent() || selector.at().isPresent() ? " matching " + selector : ""));
            }
            throw e;
        }
        Path image = null;
        try (ResumingInputStream stored = new ResumingInputStream(client, retrier, maxFruitlessResumes, database,
                first, first.contentLength().orElse(-1))) {
            String expected = expectedSha(first);
            Files.createDirectories(folder);
            // the image is at least as large as its compressed form: refuse early what cannot possibly fit
            budget.require("the restore of " + database, folder, first.contentLength().orElse(0));
            image = TempFiles.create(folder, database + ".restore");
            SqliteImageInspector.Result inspected;
            try (Progress progress = Progress.start("download " + database, first.contentLength().orElse(-1))) {
                inspected = decompress(new CountingInputStream(stored, progress), image, folder);
            }
            phases.mark("download"); // decompression, writing and hashing included: they overlap
            if (!inspected.sha256().equals(expected)) {
                throw new RestoreVerificationException("snapshot " + first.version() + " of " + database
                        + " does not match its digest: expected SHA-256 " + expected + ", got " + inspected.sha256());
            }
            List<String> problems = SqliteChecks.integrityCheck(image);
            if (!problems.isEmpty()) {
                throw new RestoreVerificationException("snapshot " + first.version() + " of " + database
                        + " fails integrity_check: " + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
            }
            phases.mark("check");
            Verified verified = new Verified(database, first.version(), inspected.sha256(), inspected.sizeBytes(),
                    stored.position(), image, stored.resumes(), start, phases);
            image = null; // the caller owns it now
            return verified;
        } finally {
            TempFiles.deleteQuietly(image);
        }
    }

    /**
     * Puts a verified image in place of {@code target}: a missing target gets the file itself; an existing one (open
     * in the app, perhaps) gets its content replaced, after a copy of its current content taken under the same write
     * lock unless {@code force}.
     */
    public RestoreResult install(Verified verified, Path target, boolean force) throws IOException, SQLException {
        RestoreResult.Install install;
        Optional<Path> copy = Optional.empty();
        if (Files.exists(target)) {
            copy = installer.replaceContent(verified.image(), target, !force);
            install = RestoreResult.Install.REPLACED_CONTENT;
        } else {
            installer.installNew(verified.image(), target);
            install = RestoreResult.Install.NEW_FILE;
        }
        verified.phases().mark("install");
        RestoreResult r = new RestoreResult(verified.database(), verified.version(), verified.sha256(),
                verified.sizeBytes(), verified.storedBytes(), target, install, copy, verified.resumes(),
                Duration.between(verified.started(), Instant.now()));
        LOG.info("event=restore.completed database={} version={} bytes={} stored_bytes={} target={} install={}"
                        + " resumes={} duration_ms={} {}", verified.database(), r.version(), r.sizeBytes(),
                r.storedBytes(), target, install, r.resumes(), r.took().toMillis(), verified.phases());
        return r;
    }

    /**
     * The image digest the server announces, cross-checked with the version, which carries its first 8 hex
     * digits: a header and a version that disagree mean we are not getting what we asked for.
     */
    private static String expectedSha(SnapshotResponse response) throws RestoreVerificationException {
        String sha = response.imageSha256().toLowerCase(Locale.ROOT);
        Optional<SnapshotVersion> version = SnapshotVersion.parse(response.version());
        if (!sha.matches("[0-9a-f]{64}") || version.isEmpty() || !sha.startsWith(version.get().shaPrefix())) {
            throw new RestoreVerificationException("the server's snapshot headers disagree: version "
                    + response.version() + " with SHA-256 " + response.imageSha256());
        }
        return sha;
    }

    private SqliteImageInspector.Result decompress(InputStream stored, Path image, Path folder) throws IOException {
        SqliteImageInspector inspector = new SqliteImageInspector(Long.MAX_VALUE);
        try (OutputStream file = budget.limit("the restored database", folder,
                     new BufferedOutputStream(Files.newOutputStream(image), Streams.BUFFER));
             OutputStream both = new TeeOutputStream(file, inspector)) {
            RestoreStages.run(stored, both);
        } catch (ZstdIOException e) {
            throw new RestoreVerificationException("the snapshot's compressed bytes are damaged: " + e.getMessage(), e);
        } catch (NotSqliteException e) {
            throw new RestoreVerificationException("the snapshot is not a SQLite database: " + e.getMessage(), e);
        }
        try {
            return inspector.finish();
        } catch (IOException e) {
            throw new RestoreVerificationException("the snapshot is not a complete database: " + e.getMessage(), e);
        }
    }
}
