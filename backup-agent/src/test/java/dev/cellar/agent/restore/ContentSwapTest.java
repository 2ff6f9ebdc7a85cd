package dev.cellar.agent.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.testing.CanonicalDump;
import dev.cellar.agent.testing.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Collation;

/**
 * The install that keeps a pre-restore copy replaces the target's content with SQL inside one transaction: what
 * comes out must be the image, schema and rows, whatever SQLite features the image uses, and the copy must be the
 * target as it was. Compared as canonical dumps (schema text, every row with its rowid and storage class, the
 * header's user values).
 */
class ContentSwapTest {
    @TempDir
    Path dir;

    private final Installer installer = new Installer(new SpaceBudget(new FileStoreDiskSpace(), 0));

    @Test
    void theTargetBecomesTheImageWhateverItsSchemaUses() throws Exception {
        Path image = database("image.sqlite3", """
                PRAGMA user_version = 42;
                PRAGMA application_id = 1128877388;
                CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, avatar BLOB);
                CREATE TABLE notes(body TEXT, author_id INTEGER REFERENCES users(id) ON DELETE CASCADE);
                CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
                CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
                CREATE TABLE odd("rowid" TEXT, x INTEGER);
                CREATE TABLE calc(a INTEGER, b INTEGER AS (a * 2) VIRTUAL, c INTEGER AS (a + 1) STORED);
                CREATE TABLE typed(n INTEGER, t TEXT) STRICT;
                CREATE TABLE descpk(x INTEGER PRIMARY KEY DESC, y);
                CREATE INDEX notes_by_author ON notes(author_id) WHERE author_id IS NOT NULL;
                CREATE INDEX users_lower_email ON users(lower(email));
                CREATE VIEW user_notes AS SELECT u.email, n.body FROM users u JOIN notes n ON n.author_id = u.id;
                CREATE TRIGGER events_log AFTER INSERT ON users BEGIN INSERT INTO events(name) VALUES ('user'); END;
                CREATE VIRTUAL TABLE search USING fts5(title, body);
                CREATE VIRTUAL TABLE boxes USING rtree(id, min_x, max_x);
                INSERT INTO boxes VALUES (1, 0.5, 2.5), (7, -1, 1);
                INSERT INTO users(email, avatar) VALUES ('a@x', x'00ff10'), ('b@x', NULL), ('c@x', zeroblob(3));
                DELETE FROM users WHERE email = 'b@x';
                INSERT INTO notes VALUES ('first', 1), ('second', 3), ('orphan', NULL), ('third', 1);
                DELETE FROM notes WHERE body = 'second';
                INSERT INTO kv VALUES ('z', 1.5), ('a', 'text'), ('m', x'01');
                INSERT INTO events(name) VALUES ('x'), ('y');
                DELETE FROM events;
                INSERT INTO odd VALUES ('r1', 1), ('r2', 2), ('r3', 3);
                DELETE FROM odd WHERE x = 2;
                INSERT INTO calc(a) VALUES (1), (2);
                INSERT INTO typed VALUES (1, 'one');
                INSERT INTO descpk(x, y) VALUES (10, 'a'), (5, 'b');
                INSERT INTO search VALUES ('hello', 'the quick brown fox'), ('bye', 'lazy dogs');
                ANALYZE;
                """);
        Path target = database("target.sqlite3", """
                PRAGMA journal_mode = WAL;
                PRAGMA user_version = 7;
                CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT, extra TEXT);
                CREATE TABLE only_here(x);
                CREATE TABLE counters(id INTEGER PRIMARY KEY AUTOINCREMENT);
                CREATE INDEX only_here_x ON only_here(x);
                CREATE VIEW v AS SELECT * FROM only_here;
                CREATE TRIGGER t AFTER INSERT ON only_here BEGIN DELETE FROM users; END;
                CREATE VIRTUAL TABLE search USING fts5(title, body);
                INSERT INTO users VALUES (1, 'old@x', 'e'), (9, 'nine@x', NULL);
                INSERT INTO only_here VALUES (1), (2);
                INSERT INTO counters DEFAULT VALUES;
                INSERT INTO search VALUES ('old', 'words of the old content');
                ANALYZE;
                """);
        List<String> targetBefore = CanonicalDump.of(target);

        Path copy;
        try (LogLines log = LogLines.of(Installer.class)) {
            copy = installer.replaceContent(image, target, true).orElseThrow();
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("event=restore.installed_in_one_transaction")),
                    () -> "installed in the copy's transaction, not by the fallback: " + log.lines());
        }

        assertEquals(withoutSequence(CanonicalDump.of(image)), withoutSequence(CanonicalDump.of(target)),
                "the target holds the image");
        assertEquals(targetBefore, CanonicalDump.of(copy), "the pre-restore copy holds the target as it was");
        assertEquals(List.of("ok"), integrityCheck(target));
        assertEquals("wal", single(target, "PRAGMA journal_mode"), "the target keeps its journal mode");
    }

    @Test
    void anImageThatNeedsTheAppsOwnCollationIsRefusedAndNothingChanges() throws Exception {
        Path image = dir.resolve("image.sqlite3");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + image); Statement s = c.createStatement()) {
            Collation.create(c, "backwards", new Collation() {
                @Override
                protected int xCompare(String a, String b) {
                    return b.compareTo(a);
                }
            });
            s.execute("CREATE TABLE names(n TEXT COLLATE backwards)");
            s.execute("INSERT INTO names VALUES ('a'), ('b')");
        }
        Path target = database("target.sqlite3", "CREATE TABLE other(x);\nINSERT INTO other VALUES (1);\n");
        List<String> targetBefore = CanonicalDump.of(target);

        SQLException refused = assertThrows(SQLException.class, () -> installer.replaceContent(image, target, true));

        assertTrue(refused.getMessage().contains("backwards") && refused.getMessage().contains("--force"),
                refused::getMessage);
        assertEquals(targetBefore, CanonicalDump.of(target), "the target is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.contains("pre-restore") || n.contains(".tmp")).toList(), "no copy is left");
        }
    }

    @Test
    void statisticsComeAndGoWithTheImage() throws Exception {
        String schema = """
                CREATE TABLE t(a, b);
                CREATE INDEX t_a ON t(a);
                INSERT INTO t VALUES (1, 2), (1, 3), (2, 4);
                """;
        Path analyzed = database("analyzed.sqlite3", schema + "ANALYZE;\n");
        Path plain = database("plain.sqlite3", schema);
        Path target = database("target.sqlite3", schema);

        installer.replaceContent(analyzed, target, true).orElseThrow();
        assertEquals(CanonicalDump.of(analyzed), CanonicalDump.of(target), "statistics made where the image has them");
        installer.replaceContent(plain, target, true).orElseThrow();
        assertEquals(CanonicalDump.of(plain), CanonicalDump.of(target), "statistics dropped where the image has none");
    }

    /**
     * {@code sqlite_sequence} cannot be dropped: an image without one installed into a target with one keeps it,
     * empty. Both here have rows in it only where the image has them.
     */
    private static List<String> withoutSequence(List<String> dump) {
        return dump.stream().filter(line -> !line.equals("table sqlite_sequence on sqlite_sequence:"
                + " CREATE TABLE sqlite_sequence(name,seq)") && !line.equals("rows of sqlite_sequence by rowid"))
                .toList();
    }

    private Path database(String name, String script) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String statement : splitStatements(script)) {
                s.execute(statement);
            }
        }
        return file;
    }

    /** Statements end with ';' at the end of a line; a trigger's body ends with 'END;'. */
    private static List<String> splitStatements(String script) {
        return List.of(script.split(";\\s*\\n")).stream().map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static List<String> integrityCheck(Path db) throws SQLException {
        return List.of(single(db, "PRAGMA integrity_check"));
    }

    private static String single(Path db, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet r = c.createStatement().executeQuery(query)) {
            return r.getString(1);
        }
    }
}
