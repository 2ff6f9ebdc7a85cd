package dev.cellar.agent.restore;

import dev.cellar.agent.files.AtomicFiles;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.TempFiles;
import dev.cellar.agent.log.Kv;
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
     * the transaction is rolled back and nothing is installed: the backup API could copy its pages, but only outside
     * the copy's transaction, where the app's commits would fall between the two.
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
                // the backup API could install it, but not in the copy's transaction: commits of the app while it
                // waits for the lock would be in neither the copy nor the result, so nothing is installed
                String cause = e.getCause().getMessage();
                LOG.error("event=restore.refused target={} reason={}", target, Kv.quote(cause));
                throw new SQLException("the snapshot could not be installed into " + target + " in one transaction"
                        + " with its pre-restore copy (" + cause + "); nothing was changed. A snapshot that needs a"
                        + " collation or module only the app registers cannot be: stop the app's writes, copy the"
                        + " database yourself and restore with --force, or restore into a fresh clone", e.getCause());
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
