package dev.cellar.agent.restore;

import dev.cellar.agent.files.AtomicFiles;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.snapshot.VacuumInto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

/** Puts a verified database image in place of the target, the way that is safe for the target's state. */
final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int SQLITE_OK = 0;
    /** Waits of 100 ms for the app's write lock before the one-step copy gives up: 10 minutes in all. */
    private static final int BUSY_RETRIES = 6_000;

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
        AtomicFiles.moveIntoPlace(image, target);
    }

    /**
     * An existing target, perhaps open in the running app: keep a copy of what it holds (unless {@code force}),
     * then copy the image into it through SQLite's backup API in one step, so that connections see the old
     * database or the new one and never a file swapped under them. The copy is one transaction on the target: if
     * it fails, the target keeps its content.
     */
    Optional<Path> replaceContent(Path image, Path target, boolean force) throws IOException, SQLException {
        Optional<Path> copy = Optional.empty();
        if (!force) {
            Path preRestore = Path.of(target + ".pre-restore-" + STAMP.format(Instant.now()));
            long estimate = Files.size(target) + sizeIfExists(Path.of(target + "-wal"));
            budget.require("the pre-restore copy of " + target.getFileName(), target.toAbsolutePath().getParent(),
                    estimate);
            try {
                VacuumInto.copy(target, preRestore);
            } catch (SQLException e) {
                Files.deleteIfExists(preRestore);
                throw e;
            }
            copy = Optional.of(preRestore);
            LOG.info("event=restore.pre_restore_copy path={} bytes={}", preRestore, Files.size(preRestore));
        }
        Properties props = new Properties();
        props.setProperty("open_mode", "2"); // read-write, never create
        props.setProperty("busy_timeout", "30000");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + target.toAbsolutePath(), props)) {
            // pages = -1: one step under one write lock; small steps restart whenever the app writes between them
            int rc = c.unwrap(SQLiteConnection.class).getDatabase()
                    .restore("main", image.toAbsolutePath().toString(), null, 100, BUSY_RETRIES, -1);
            if (rc != SQLITE_OK) {
                throw new SQLException("copying the snapshot into " + target + " failed with SQLite code " + rc);
            }
        }
        return copy;
    }

    private static long sizeIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }
}
