package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteChecksTest {
    private static final int PAGE = 4096;
    private static final int TABLE_LEAF = 0x0d;
    private static final int SQLITE_CANTOPEN = 14;

    @TempDir
    Path dir;

    @Test
    void aSoundDatabaseHasNoFindings() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("ok.db"), 0, 2_000);

        assertEquals(List.of(), SqliteChecks.quickCheck(db));
        assertEquals(List.of(), SqliteChecks.integrityCheck(db));
    }

    @Test
    void aStoppedCheckNeverAnswersAndOneNotStoppedDoes() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("ok.db"), 0, 2_000);
        SqliteChecks.Stopper stopped = new SqliteChecks.Stopper();
        stopped.stop(); // before it starts: whether SQLite's interrupt reaches it or not, no answer comes back

        assertThrows(CancellationException.class, () -> SqliteChecks.check(db, false, stopped));
        assertThrows(CancellationException.class, () -> SqliteChecks.check(db, true, stopped));
        assertEquals(List.of(), SqliteChecks.check(db, true, new SqliteChecks.Stopper()));
    }

    @Test
    void checkingLeavesTheFileAsItWas() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("ok.db"), 0, 500);
        byte[] before = Files.readAllBytes(db);

        SqliteChecks.integrityCheck(db);

        assertArrayEquals(before, Files.readAllBytes(db));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(db), files.toList(), "no journal or WAL file left behind");
        }
    }

    @Test
    void garbageInTheCellsOfATablePageIsReportedAsFindings() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("bad.db"), 0, 2_000);
        byte[] bytes = Files.readAllBytes(db);
        int leaf = firstTableLeafPage(bytes);
        int start = (leaf - 1) * PAGE;
        // the middle half of the page: cell contents, the page header and cell pointers stay intact
        Arrays.fill(bytes, start + PAGE / 4, start + 3 * PAGE / 4, (byte) 0xff);
        Files.write(db, bytes);

        List<String> quick = SqliteChecks.quickCheck(db);
        List<String> full = SqliteChecks.integrityCheck(db);

        assertFalse(quick.isEmpty());
        assertTrue(String.join("\n", quick).contains("page " + leaf + " cell"), String.join("\n", quick));
        assertTrue(String.join("\n", full).contains("page " + leaf + " cell"), String.join("\n", full));
    }

    /**
     * Corruption can also stop the check itself (SQLite fails the PRAGMA with SQLITE_CORRUPT): that is a finding
     * too, never "no findings" and never an error that a caller could mistake for a transient one.
     */
    @Test
    void aBrokenPageHeaderThatStopsTheCheckIsAFinding() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("bad.db"), 0, 2_000);
        byte[] bytes = Files.readAllBytes(db);
        int start = (firstTableLeafPage(bytes) - 1) * PAGE;
        // the b-tree page header after its type byte: free block, cell count, content start, fragments
        Arrays.fill(bytes, start + 1, start + 8, (byte) 0xff);
        Files.write(db, bytes);

        List<String> quick = SqliteChecks.quickCheck(db);
        List<String> full = SqliteChecks.integrityCheck(db);

        // the findings made before the check stopped, then why it stopped
        assertTrue(quick.get(quick.size() - 1).contains("SQLITE_CORRUPT"), quick.toString());
        assertTrue(full.get(full.size() - 1).contains("SQLITE_CORRUPT"), full.toString());
    }

    @Test
    void anIndexThatDisagreesWithItsTablePassesQuickCheckButNotIntegrityCheck() throws Exception {
        Path db = dir.resolve("index.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (a TEXT, b TEXT)");
            s.execute("CREATE INDEX t_a ON t(a)");
            for (int i = 0; i < 20; i++) {
                s.execute("INSERT INTO t VALUES ('a" + i + "', 'b" + (19 - i) + "')");
            }
            // the index's b-tree holds column a; its declaration now claims column b
            s.execute("PRAGMA writable_schema=ON");
            assertEquals(1, s.executeUpdate("UPDATE sqlite_schema SET sql='CREATE INDEX t_a ON t(b)' WHERE name='t_a'"));
        }

        List<String> quick = SqliteChecks.quickCheck(db);
        List<String> full = SqliteChecks.integrityCheck(db);

        assertEquals(List.of(), quick);
        assertEquals(20, full.size(), String.join("\n", full));
        assertTrue(full.contains("row 1 missing from index t_a"), String.join("\n", full));
    }

    @Test
    void aFileThatIsNotADatabaseIsAFinding() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n".repeat(1_000));

        List<String> findings = SqliteChecks.quickCheck(text);

        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).contains("SQLITE_NOTADB"), findings.toString());
    }

    @Test
    void aMissingFileFailsAndIsNotCreated() {
        Path missing = dir.resolve("missing.db");

        SQLException e = assertThrows(SQLException.class, () -> SqliteChecks.quickCheck(missing));

        assertEquals(SQLITE_CANTOPEN, e.getErrorCode());
        assertFalse(Files.exists(missing));
    }

    /** The first page after the table's root that is a leaf of a table b-tree. */
    private static int firstTableLeafPage(byte[] file) {
        for (int page = 3; page <= file.length / PAGE; page++) {
            if ((file[(page - 1) * PAGE] & 0xff) == TABLE_LEAF) {
                return page;
            }
        }
        throw new IllegalStateException("no table leaf page");
    }
}
