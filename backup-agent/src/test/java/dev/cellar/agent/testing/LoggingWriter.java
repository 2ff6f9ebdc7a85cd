package dev.cellar.agent.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The app of the rollback tests: commits one row per transaction into {@code w(id INTEGER PRIMARY KEY)}, ids from
 * 1000 up, each id logged once its commit has returned. It retries a busy database every millisecond, as Rails'
 * SQLite adapter does, instead of SQLite's own busy handler, whose waits grow to 100 ms: so it commits in any
 * instant the write lock is free, which is what a gap between two lock holders has to survive.
 */
public final class LoggingWriter implements AutoCloseable {
    private final List<Long> committed = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    private LoggingWriter(Path db) {
        thread = new Thread(() -> write(db), "app-writer");
        thread.start();
    }

    public static LoggingWriter start(Path db) {
        return new LoggingWriter(db);
    }

    /** The ids whose commit has returned, in order. */
    public List<Long> committed() {
        return committed;
    }

    /** Waits until {@code more} commits more than now have returned (up to a minute: a bound, not a measure). */
    public void awaitMore(int more) throws InterruptedException {
        int target = committed.size() + more;
        for (int i = 0; i < 1200 && committed.size() < target && failure.get() == null; i++) {
            Thread.sleep(50);
        }
        assertTrue(committed.size() >= target, "the writer stopped committing: " + failure.get());
    }

    /** Stops the writer; throws what made it fail, if anything did. */
    @Override
    public void close() throws Exception {
        stop.set(true);
        thread.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the app's writer failed", failure.get());
        }
    }

    /** The ids in a database's {@code w}. */
    public static Set<Long> ids(Path db) throws SQLException {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet r = c.createStatement().executeQuery("SELECT id FROM w")) {
            while (r.next()) {
                ids.add(r.getLong(1));
            }
        }
        return ids;
    }

    private void write(Path db) {
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
}
