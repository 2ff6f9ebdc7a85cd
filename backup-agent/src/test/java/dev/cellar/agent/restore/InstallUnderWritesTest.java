package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.files.SpaceBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install of a live rollback while the app commits as fast as it can, each committed id logged once its commit
 * returned: over many installs, every id is in the pre-restore copy or in the database after the install, and the
 * database holds exactly the image's rows plus the ids committed after the install. A writer with no pause commits
 * in any instant the database's write lock is free, so an install that lets the lock go between the copy and the
 * install loses a commit within a few rounds.
 */
class InstallUnderWritesTest {
    private static final int ROUNDS = 15;

    @TempDir
    Path dir;

    @Test
    void noCommitFallsBetweenThePreRestoreCopyAndTheInstall() throws Exception {
        Path db = dir.resolve("app.sqlite3");
        Path image = dir.resolve("image.sqlite3");
        createTable(db, "PRAGMA journal_mode=WAL");
        createTable(image, "PRAGMA journal_mode=DELETE");
        Installer installer = new Installer(new SpaceBudget(new FileStoreDiskSpace(), 0));

        List<Long> committed = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> write(db, committed, stop, writerFailure), "app-writer");
        writer.start();
        Set<Long> inCopies = new TreeSet<>();
        Set<Long> unexpected = new TreeSet<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                waitForCommits(committed, committed.size() + 20);
                Path copy = installer.replaceContent(image, db, true).orElseThrow();
                Set<Long> before = ids(copy);
                inCopies.addAll(before);
                for (Long id : ids(db)) {
                    if (id > 100 && before.contains(id)) {
                        unexpected.add(id); // a row of the copy is still there: the image was not installed
                    }
                }
                Files.delete(copy);
            }
            waitForCommits(committed, committed.size() + 5);
        } finally {
            stop.set(true);
            writer.join();
        }
        Set<Long> live = ids(db);
        List<Long> lost = committed.stream().filter(id -> !inCopies.contains(id) && !live.contains(id)).toList();
        assertEquals(null, writerFailure.get(), "the app's writer failed");
        assertEquals(List.of(), lost.subList(0, Math.min(20, lost.size())),
                lost.size() + " committed ids in no pre-restore copy and not in the database");
        assertEquals(Set.of(), unexpected, "ids of the copy left in the database after the install");
        Set<Long> expected = ids(image);
        committed.stream().filter(id -> !inCopies.contains(id)).forEach(expected::add);
        assertEquals(expected, live, "the database holds the image's rows plus the ids committed after the last install");
    }

    /** A table {@code w} with the rows 1–100. */
    private static void createTable(Path file, String journal) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute(journal);
            s.execute("CREATE TABLE w(id INTEGER PRIMARY KEY)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
                    + " INSERT INTO w SELECT i FROM n");
        }
    }

    /**
     * The app: one row per transaction, each id logged once its commit has returned. It retries a busy database
     * every millisecond, as Rails' SQLite adapter does, instead of SQLite's own busy handler, whose waits grow to
     * 100 ms: so it commits in any instant the write lock is free.
     */
    private static void write(Path db, List<Long> committed, AtomicBoolean stop, AtomicReference<Exception> failure) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement insert = c.prepareStatement("INSERT INTO w(id) VALUES (?)")) {
            for (long id = 1000; !stop.get(); id++) {
                insert.setLong(1, id);
                while (!commit(insert)) {
                    if (stop.get()) {
                        return;
                    }
                    Thread.sleep(1);
                }
                committed.add(id);
            }
        } catch (Exception e) {
            failure.set(e);
        }
    }

    private static boolean commit(PreparedStatement insert) throws SQLException {
        try {
            insert.executeUpdate();
            return true;
        } catch (SQLiteException e) {
            if (e.getResultCode().code == SQLiteErrorCode.SQLITE_BUSY.code) {
                return false;
            }
            throw e;
        }
    }

    private static Set<Long> ids(Path db) throws Exception {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet r = c.createStatement().executeQuery("SELECT id FROM w")) {
            while (r.next()) {
                ids.add(r.getLong(1));
            }
        }
        return ids;
    }

    private static void waitForCommits(List<Long> committed, int atLeast) throws InterruptedException {
        for (int i = 0; i < 1200 && committed.size() < atLeast; i++) { // up to a minute: a bound, not a measure
            Thread.sleep(50);
        }
        assertTrue(committed.size() >= atLeast, "the writer stopped committing");
    }
}
