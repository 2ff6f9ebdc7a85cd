package dev.cellar.agent.snapshot;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.TempFiles;
import dev.cellar.agent.progress.Phases;
import dev.cellar.core.SqliteImageInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One snapshot of one database, start to finish: free-space check → {@code VACUUM INTO} a temp file → SHA-256
 * (stop here when it equals the last upload) → {@code quick_check} (started beside the SHA-256 where a second core
 * is free: {@link ImageCheck}) → zstd straight into the upload body, with the
 * image's digest declared up front, retried whole → remember the digest. The temp file is deleted in every outcome;
 * there is no compressed copy on disk (see {@link Compressor} for what that trades).
 *
 * <p>The digest comes before the check and the compression because a sleeping tenant's database rarely changes:
 * hashing costs a fifth of compressing, and an image byte-identical to one that passed the check passes it again.
 */
public final class Snapshotter {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);
    /**
     * An unchanged image is still sent once a day: should the server have lost or deleted the version we remember,
     * it stores it again; otherwise it answers "unchanged" at the cost of one compression and one request.
     */
    static final Duration RECONFIRM_AFTER = Duration.ofHours(24);

    /** Writes a consistent copy of a live database to a file: {@link VacuumInto#copy}; tests watch it through this. */
    @FunctionalInterface
    public interface Vacuum {
        void copy(Path database, Path target) throws SQLException;
    }

    /** Everything a snapshot needs besides the database itself. */
    public record Settings(Optional<Path> tempDir, boolean fullIntegrityCheck, Optional<String> machineId) {
    }

    private final Settings settings;
    private final SpaceBudget budget;
    private final Compressor compressor;
    private final UploadState state;
    private final BackupClient client;
    private final Retrier retrier;
    private final Vacuum vacuum;
    private final DatabaseLocks locks = new DatabaseLocks();

    public Snapshotter(Settings settings, SpaceBudget budget, Compressor compressor, UploadState state,
                       BackupClient client, Retrier retrier) {
        this(settings, budget, compressor, state, client, retrier, VacuumInto::copy);
    }

    public Snapshotter(Settings settings, SpaceBudget budget, Compressor compressor, UploadState state,
                       BackupClient client, Retrier retrier, Vacuum vacuum) {
        this.vacuum = vacuum;
        this.settings = settings;
        this.budget = budget;
        this.compressor = compressor;
        this.state = state;
        this.client = client;
        this.retrier = retrier;
    }

    /** The folder this database's temp files go to. */
    public Path tempFolder(Database db) {
        return settings.tempDir().orElseGet(() -> db.path().toAbsolutePath().getParent());
    }

    /**
     * Snapshots {@code db}. Safe to call from several threads and processes: snapshots of one database never
     * overlap (a second one waits for the first, then finds the database unchanged unless it was written meanwhile);
     * different databases proceed side by side.
     */
    public SnapshotResult snapshot(Database db)
            throws IOException, SQLException, ApiException, InterruptedException {
        try (DatabaseLocks.Held ignored = locks.acquire(db.name(), lockFile(db))) {
            return snapshotLocked(db, db.path(), false);
        }
    }

    /** A snapshot taken under a lock its caller already holds; it is always sent to the server. */
    public interface HeldSnapshot {
        /** Of the database as it is now. */
        SnapshotResult take() throws IOException, SQLException, ApiException, InterruptedException;

        /** Of {@code copy}, a consistent copy of the database made under the lock, sent as its snapshot. */
        SnapshotResult takeFrom(Path copy) throws IOException, SQLException, ApiException, InterruptedException;
    }

    /** Work on a database that no snapshot may overlap, such as replacing its content. */
    @FunctionalInterface
    public interface Exclusive<T> {
        T run(HeldSnapshot snapshot) throws Exception;
    }

    /**
     * Runs {@code action} while holding {@code db}'s snapshot lock, so that no scheduled or operator snapshot runs
     * meanwhile. The action may take one snapshot under that lock; it skips the local "unchanged" shortcut, so the
     * server (which compares with its latest) answers with the version that holds the database as it is now.
     */
    public <T> T exclusive(Database db, Exclusive<T> action) throws Exception {
        try (DatabaseLocks.Held ignored = locks.acquire(db.name(), lockFile(db))) {
            return action.run(new HeldSnapshot() {
                @Override
                public SnapshotResult take() throws IOException, SQLException, ApiException, InterruptedException {
                    return takeFrom(db.path());
                }

                @Override
                public SnapshotResult takeFrom(Path copy)
                        throws IOException, SQLException, ApiException, InterruptedException {
                    SnapshotResult r = snapshotLocked(db, copy, true);
                    SnapshotService.log(r);
                    return r;
                }
            });
        }
    }

    /** Beside the database's upload state, which a snapshot reads and writes. */
    Path lockFile(Database db) {
        return state.fileFor(db).resolveSibling(db.name() + ".lock");
    }

    /**
     * @param source the database file itself, or a consistent copy of it
     * @param send   upload even when the image equals the last one uploaded
     */
    private SnapshotResult snapshotLocked(Database db, Path source, boolean send)
            throws IOException, SQLException, ApiException, InterruptedException {
        Instant start = Instant.now();
        if (!Files.isRegularFile(source)) {
            throw new IOException("database file " + source + " does not exist");
        }
        Path folder = tempFolder(db);
        Optional<UploadState.Entry> last = state.read(db);
        long estimate = Files.size(source) + sizeIfExists(Path.of(source + "-wal"));
        // the image is the only file: its compressed form goes straight into the request body
        budget.require("the snapshot of " + db.name(), folder, estimate);

        Path image = TempFiles.create(folder, db.name() + ".sqlite3");
        Phases phases = new Phases();
        try {
            vacuum.copy(source, image);
            phases.mark("vacuum");
            SqliteImageInspector.Result inspected;
            try (ImageCheck check = ImageCheck.start(image, settings.fullIntegrityCheck(), ImageCheck.BESIDE)) {
                inspected = ImageDigest.of(image);
                phases.mark("digest");
                if (!send && last.isPresent() && last.get().sha256().equals(inspected.sha256())
                        && last.get().at().isAfter(start.minus(RECONFIRM_AFTER))) {
                    return new SnapshotResult(db, SnapshotResult.Outcome.UNCHANGED, inspected.sha256(),
                            Optional.ofNullable(last.get().version()), inspected.sizeBytes(), 0, since(start), phases);
                }
                refuseIfDamaged(db, check.problems());
                phases.mark("check"); // what the check took beyond the digest, when they ran side by side
            }
            SnapshotInfo stored = upload(db, image, inspected);
            phases.mark("upload"); // compression included: they overlap
            if (!stored.sha256().equals(inspected.sha256())) {
                throw new IOException("the server stored an image with SHA-256 " + stored.sha256()
                        + " but the snapshot's is " + inspected.sha256());
            }
            state.write(db, new UploadState.Entry(inspected.sha256(), stored.version(), inspected.sizeBytes(),
                    stored.storedBytes(), Instant.now()));
            return new SnapshotResult(db, stored.unchanged() ? SnapshotResult.Outcome.UNCHANGED_ON_SERVER
                    : SnapshotResult.Outcome.UPLOADED, inspected.sha256(), Optional.of(stored.version()),
                    inspected.sizeBytes(), stored.storedBytes(), since(start), phases);
        } finally {
            TempFiles.deleteQuietly(image);
        }
    }

    private void refuseIfDamaged(Database db, List<String> problems) throws SnapshotRefusedException {
        if (!problems.isEmpty()) {
            throw new SnapshotRefusedException("the snapshot of " + db.name() + " failed "
                    + (settings.fullIntegrityCheck() ? "integrity_check" : "quick_check") + ": "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""));
        }
    }

    /** Every attempt compresses the image afresh into its body. */
    private SnapshotInfo upload(Database db, Path image, SqliteImageInspector.Result inspected)
            throws IOException, ApiException, InterruptedException {
        LOG.debug("event=snapshot.uploading database={} image_bytes={}", db.name(), inspected.sizeBytes());
        return retrier.call("upload of " + db.name(), () -> client.upload(db.name(), () -> compressor.stream(image),
                inspected.sizeBytes(), inspected.sha256(), settings.machineId()));
    }

    private static long sizeIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static Duration since(Instant start) {
        return Duration.between(start, Instant.now());
    }
}
