package dev.cellar.agent.restore;

import dev.cellar.agent.files.AtomicFiles;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.TempFiles;
import dev.cellar.agent.snapshot.VacuumInto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/** Puts a verified database image in place of the target, the way that is safe for the target's state. */
final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int SQLITE_OK = 0;
    /** Waits of 100 ms for the app's write lock before the one-step copy gives up: 10 minutes in all. */
    private static final int BUSY_RETRIES = 6_000;
    private static final int BUSY_TIMEOUT_MS = 600_000;
    /** Tries of copy-then-install before installing even though the app committed in between. */
    private static final int MAX_ATTEMPTS = 20;

    private final SpaceBudget budget;

    Installer(SpaceBudget budget) {
        this.budget = budget;
    }

    /**
     * A missing target: the image is fsynced and renamed into place. A WAL or journal left beside a missing
     * database belongs to a database that no longer exists; SQLite would replay it into the restored one, so it
     * goes first.
     */
    void installNew(Path image, Path target) throws IOException {
        for (String side : List.of("-wal", "-shm", "-journal")) {
            Path stale = Path.of(target + side);
            if (Files.deleteIfExists(stale)) {
                LOG.warn("event=restore.stale_side_file_removed path={}", stale);
            }
        }
        giveNewFileMode(image);
        AtomicFiles.moveIntoPlace(image, target);
    }

    /**
     * A temp file is private (0600); the restored database gets the mode a database the app created there would
     * have: 0644 less the process umask, read from a probe file created beside it.
     */
    private static void giveNewFileMode(Path image) throws IOException {
        if (!Files.getFileStore(image).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Path probe = TempFiles.createWithDefaultMode(image.toAbsolutePath().getParent(), "mode");
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(probe);
        } finally {
            TempFiles.deleteQuietly(probe);
        }
        mode.retainAll(PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(image, mode);
    }

    /**
     * An existing target, perhaps open in the running app: copy the image into it through SQLite's backup API in one
     * step, so that connections see the old database or the new one and never a file swapped under them. The copy
     * is one transaction on the target: if it fails, the target keeps its content.
     *
     * <p>With {@code keepCopy}, the current content is first copied ({@code VACUUM INTO} a temp file, renamed to
     * {@code <target>.pre-restore-<time>} once complete) while this connection holds the database's write lock
     * ({@code BEGIN IMMEDIATE}), so no commit of the app can fall
     * between that copy and the install, which follows at once on the same connection. SQLite's backup API cannot
     * write into a connection with an open transaction, so the lock is released for the instant between the two;
     * {@code PRAGMA data_version} tells whether another connection committed in that instant, and if one did the
     * install is not made (the target keeps its content, the copy is removed) and the whole is tried again.
     */
    Optional<Path> replaceContent(Path image, Path target, boolean keepCopy) throws IOException, SQLException {
        Properties props = new Properties();
        props.setProperty("open_mode", "2"); // read-write, never create
        props.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MS));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + target.toAbsolutePath(), props)) {
            DB db = c.unwrap(SQLiteConnection.class).getDatabase();
            if (!keepCopy) {
                install(db, image, target);
                return Optional.empty();
            }
            Path folder = target.toAbsolutePath().getParent();
            long estimate = Files.size(target) + sizeIfExists(Path.of(target + "-wal"));
            budget.require("the pre-restore copy of " + target.getFileName(), folder, estimate);
            for (int attempt = 1; ; attempt++) {
                Path copy = TempFiles.create(folder, target.getFileName() + ".pre-restore");
                try {
                    try (Statement s = c.createStatement()) {
                        long version;
                        s.execute("BEGIN IMMEDIATE"); // waits for the app's write lock, then holds it
                        try {
                            // another connection reads: SQLite's backup API refuses a source in a write transaction
                            VacuumInto.copy(target, copy);
                            version = dataVersion(s);
                        } finally {
                            s.execute("COMMIT");
                        }
                        if (attempt < MAX_ATTEMPTS && dataVersion(s) != version) {
                            LOG.info("event=restore.pre_restore_retry target={} attempt={} reason=\"the app"
                                    + " committed as the lock passed from the copy to the install\"", target, attempt);
                            continue;
                        }
                        install(db, image, target);
                        if (dataVersion(s) != version) {
                            LOG.error("event=restore.write_raced target={} reason=\"the app committed in the instant"
                                    + " between the pre-restore copy and the install: that commit is in neither\"",
                                    target);
                        }
                    }
                    Path named = Path.of(target + ".pre-restore-" + STAMP.format(Instant.now()));
                    AtomicFiles.moveIntoPlace(copy, named);
                    copy = null;
                    LOG.info("event=restore.pre_restore_copy path={} bytes={}", named, Files.size(named));
                    return Optional.of(named);
                } finally {
                    TempFiles.deleteQuietly(copy);
                }
            }
        }
    }

    private static void install(DB db, Path image, Path target) throws SQLException {
        // pages = -1: one step under one write lock; small steps restart whenever the app writes between them
        int rc = db.restore("main", image.toAbsolutePath().toString(), null, 100, BUSY_RETRIES, -1);
        if (rc != SQLITE_OK) {
            throw new SQLException("copying the snapshot into " + target + " failed with SQLite code " + rc);
        }
    }

    /** Changes whenever another connection commits to the database. */
    private static long dataVersion(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("PRAGMA data_version")) {
            return r.getLong(1);
        }
    }

    private static long sizeIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }
}
