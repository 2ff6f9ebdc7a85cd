package dev.cellar.agent.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tenant app of the end-to-end tests, run by the agent as its child process:
 * {@code TestApp DB DIR EXPECTED WRITE TERM_STATUS}.
 *
 * <ol>
 *   <li>its first statement counts the rows of {@code items}; when EXPECTED is a number and differs, it exits 3
 *       (a table that does not exist counts as 0 rows);</li>
 *   <li>it writes {@code DIR/app-started} holding that count, then adds WRITE rows;</li>
 *   <li>every 100 ms it appends the row count its open connection sees to {@code DIR/app-report};</li>
 *   <li>on SIGTERM it closes the connection and exits with TERM_STATUS (1 if anything failed before).</li>
 * </ol>
 */
public final class TestApp {
    public static final String MARKER = "app-started";
    public static final String REPORT = "app-report";
    public static final int WRONG_COUNT = 3;

    private TestApp() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        String expected = args[2];
        int write = Integer.parseInt(args[3]);
        int termStatus = Integer.parseInt(args[4]);

        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        long first = count(c);
        if (!"-".equals(expected) && first != Long.parseLong(expected)) {
            System.err.println("test-app: expected " + expected + " rows at the first statement, found " + first);
            System.exit(WRONG_COUNT);
        }
        // from here on SIGTERM ends the app with TERM_STATUS, however early it comes
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("test-app: stopped");
            Runtime.getRuntime().halt(failed.get() ? 1 : termStatus);
        }));
        try {
            Path marker = dir.resolve(MARKER + ".tmp");
            Files.writeString(marker, first + "\n");
            Files.move(marker, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
            System.out.println("test-app: started with " + first + " rows");
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
            }
            insert(c, write);
            report(c, dir.resolve(REPORT), stop);
        } catch (Exception | Error e) {
            failed.set(true);
            throw e;
        } finally {
            c.close();
            stopped.countDown();
        }
    }

    /** Until {@code stop}: appends the row count the open connection sees, every 100 ms. */
    private static void report(Connection c, Path report, CountDownLatch stop) throws Exception {
        while (stop.getCount() > 0) {
            String seen;
            try {
                seen = Long.toString(count(c));
            } catch (SQLException e) {
                seen = "error " + e.getMessage(); // a busy database, say: the next look tells more
            }
            Files.writeString(report, seen + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Thread.sleep(100);
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }

    private static void insert(Connection c, int rows) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items (name, data) VALUES (?, ?)")) {
            for (int i = 0; i < rows; i++) {
                p.setString(1, "app-row-" + i);
                p.setBytes(2, new byte[] {(byte) i});
                p.addBatch();
            }
            p.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }
}
