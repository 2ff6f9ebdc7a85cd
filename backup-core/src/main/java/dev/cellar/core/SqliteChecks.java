package dev.cellar.core;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CancellationException;

/** SQLite's own integrity checks, run on a database file opened read-only. */
public final class SqliteChecks {
    /**
     * The page cache of an integrity check, in KiB (SQLite's default is 2,000). Checking an index against its table
     * reads table pages again; with the default cache each such read is a system call. Measured on a 1 GiB image:
     * 3.8 s with the default, 3.1–3.3 s with 16 MiB, 3.0–3.2 s with 32 MiB; quick_check, which does not compare
     * indexes with tables, gains nothing and keeps the default.
     */
    private static final int INTEGRITY_CHECK_CACHE_KIB = 16 * 1024;

    private SqliteChecks() {
    }

    /**
     * {@code PRAGMA quick_check}: an empty list when the database is sound, else SQLite's findings (damage so bad
     * that the check stops is a finding too). Throws only when the file cannot be read at all.
     */
    public static List<String> quickCheck(Path database) throws SQLException {
        return check(database, false, new Stopper());
    }

    /** {@code PRAGMA integrity_check}: slower than quick_check, also verifies index contents. */
    public static List<String> integrityCheck(Path database) throws SQLException {
        return check(database, true, new Stopper());
    }

    /**
     * Runs {@code quick_check}, or {@code integrity_check} when {@code full}, on this thread; another thread may
     * stop it with {@link Stopper#stop()}, after which it throws {@link CancellationException}.
     */
    public static List<String> check(Path database, boolean full, Stopper stopper) throws SQLException {
        Properties props = new Properties();
        props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        List<String> problems = new ArrayList<>();
        // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): the check found damage it could not even walk past
        final int corrupt = 11;
        final int notADatabase = 26;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(), props);
             Statement s = c.createStatement()) {
            if (full) {
                s.execute("PRAGMA cache_size = -" + INTEGRITY_CHECK_CACHE_KIB);
            }
            stopper.running(s);
            try (ResultSet rs = s.executeQuery(full ? "PRAGMA integrity_check" : "PRAGMA quick_check")) {
                while (rs.next()) {
                    String line = rs.getString(1);
                    if (!"ok".equals(line)) {
                        problems.add(line);
                    }
                }
            }
        } catch (SQLException e) {
            stopper.throwIfStopped();
            if ((e.getErrorCode() & 0xff) != corrupt && (e.getErrorCode() & 0xff) != notADatabase) {
                throw e;
            }
            problems.add(e.getMessage());
        }
        stopper.throwIfStopped(); // stopped after its last step: its answer is not wanted
        return problems;
    }

    /** Stops a running check at SQLite's next step ({@code sqlite3_interrupt}); safe from any thread. */
    public static final class Stopper {
        private volatile Statement statement;
        private volatile boolean stopped;

        public void stop() {
            stopped = true;
            cancel(statement);
        }

        private void running(Statement s) {
            statement = s;
            if (stopped) {
                cancel(s);
            }
        }

        private void throwIfStopped() {
            if (stopped) {
                throw new CancellationException("the check was stopped");
            }
        }

        private static void cancel(Statement s) {
            if (s != null) {
                try {
                    s.cancel();
                } catch (SQLException e) {
                    // closed meanwhile: the check has ended
                }
            }
        }
    }
}
