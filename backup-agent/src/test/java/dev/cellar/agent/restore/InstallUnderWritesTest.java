package dev.cellar.agent.restore;

import static dev.cellar.agent.testing.LoggingWriter.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.testing.LoggingWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install of a live rollback while the app commits as fast as it can, each committed id logged once its commit
 * returned: over many installs, every id is in a pre-restore copy or in the database after the last install, and the
 * database holds exactly the image's rows plus the ids committed after that install. The writer commits in any
 * instant the database's write lock is free ({@link LoggingWriter}), so an install that lets the lock go between the
 * copy and the install loses commits within a few rounds (the backup-API install did, in every run).
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

        Set<Long> inCopies = new TreeSet<>();
        Set<Long> unexpected = new TreeSet<>();
        List<Long> committed;
        try (LoggingWriter writer = LoggingWriter.start(db)) {
            for (int round = 0; round < ROUNDS; round++) {
                writer.awaitMore(20);
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
            writer.awaitMore(5);
            committed = writer.committed();
        }
        Set<Long> live = ids(db);
        List<Long> lost = committed.stream().filter(id -> !inCopies.contains(id) && !live.contains(id)).toList();
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
}
