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
import java.sql.PreparedStatement;
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
    /** Tries of copy-then-install (the fallback) before installing even though the app committed in between. */
    private static final int MAX_ATTEMPTS = 20;
    private static final String IMAGE_SCHEMA = "cellar_image";

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
     * An existing target, perhaps open in the running app: its content is replaced in one transaction, so that
     * connections see the old database or the new one and never a file swapped under them; if the install fails, the
     * target keeps its content.
     *
     * <p>With {@code keepCopy}, the current content is first copied ({@code VACUUM INTO} a temp file, renamed to
     * {@code <target>.pre-restore-<time>} once complete) while this connection holds the database's write lock
     * ({@code BEGIN IMMEDIATE}), and the image replaces the content inside that same transaction ({@link
     * ContentSwap}): no commit of the app can fall between the copy and the install. Where the image holds what that
     * SQL copy cannot recreate in this connection (a collation or a virtual table module the app registers itself),
     * the transaction is rolled back and the install falls back to {@link #copyThenBackup}.
     *
     * <p>Without it ({@code --force}), the image is copied in page by page through SQLite's backup API.
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
            long current = Files.size(target) + sizeIfExists(Path.of(target + "-wal"));
            // the copy, and the journal or WAL that the install writes the image's pages to
            budget.require("the pre-restore copy of " + target.getFileName(), folder, current + Files.size(image));
            try {
                return Optional.of(copyAndSwap(c, image, target, folder));
            } catch (SwapFailedException e) {
                LOG.warn("event=restore.swap_unavailable target={} reason=\"{}\" fallback=\"backup API: a commit of the"
                        + " app in the instant between copy and install would be in neither\"", target,
                        e.getCause().getMessage());
                return Optional.of(copyThenBackup(c, db, image, target, folder));
            }
        }
    }

    private Path copyAndSwap(Connection c, Path image, Path target, Path folder)
            throws IOException, SQLException, SwapFailedException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA foreign_keys = OFF"); // the image's rows are consistent as a whole, not one by one
            try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS " + IMAGE_SCHEMA)) {
                attach.setString(1, image.toAbsolutePath().toString());
                attach.execute();
            } catch (SQLException e) {
                throw new SwapFailedException(e);
            }
            Path copy = TempFiles.create(folder, target.getFileName() + ".pre-restore");
            try {
                long locked = System.nanoTime();
                s.execute("BEGIN IMMEDIATE"); // waits for the app's write lock, then holds it to the COMMIT
                boolean committed = false;
                try {
                    // another connection reads what the app committed last: this one holds the write lock
                    VacuumInto.copy(target, copy);
                    try {
                        ContentSwap.replace(c, IMAGE_SCHEMA);
                    } catch (SQLException e) {
                        throw new SwapFailedException(e);
                    }
                    s.execute("COMMIT");
                    committed = true;
                } finally {
                    if (!committed) {
                        s.execute("ROLLBACK");
                    }
                }
                LOG.info("event=restore.installed_in_one_transaction target={} write_lock_ms={}", target,
                        (System.nanoTime() - locked) / 1_000_000);
                Path named = nameCopy(copy, target);
                copy = null;
                return named;
            } finally {
                TempFiles.deleteQuietly(copy);
                s.execute("DETACH DATABASE " + IMAGE_SCHEMA);
            }
        }
    }

    /**
     * The fallback: the copy under {@code BEGIN IMMEDIATE}, then the image copied in through SQLite's backup API,
     * which cannot write into a connection with an open transaction, so the lock is released for the instant
     * between the two; {@code PRAGMA data_version} tells whether another connection committed in that instant, and
     * if one did the install is not made (the target keeps its content, the copy is removed) and the whole is tried
     * again. A commit after that last check and before the install takes the lock is in neither.
     */
    private Path copyThenBackup(Connection c, DB db, Path image, Path target, Path folder)
            throws IOException, SQLException {
        for (int attempt = 1; ; attempt++) {
            Path copy = TempFiles.create(folder, target.getFileName() + ".pre-restore");
            try {
                try (Statement s = c.createStatement()) {
                    long version;
                    s.execute("BEGIN IMMEDIATE"); // waits for the app's write lock, then holds it
                    try {
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
                }
                Path named = nameCopy(copy, target);
                copy = null;
                return named;
            } finally {
                TempFiles.deleteQuietly(copy);
            }
        }
    }

    /** The complete copy gets its name: a partial one never looks like a backup. */
    private static Path nameCopy(Path copy, Path target) throws IOException {
        Path named = Path.of(target + ".pre-restore-" + STAMP.format(Instant.now()));
        AtomicFiles.moveIntoPlace(copy, named);
        LOG.info("event=restore.pre_restore_copy path={} bytes={}", named, Files.size(named));
        return named;
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

    /** The transactional install cannot recreate the image in this connection; nothing was changed. */
    private static final class SwapFailedException extends Exception {
        SwapFailedException(SQLException cause) {
            super(cause);
        }
    }
}
