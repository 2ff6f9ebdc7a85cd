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

/** SQLite's own integrity checks, run on a database file opened read-only. */
public final class SqliteChecks {
    private SqliteChecks() {
    }

    /** {@code PRAGMA quick_check}: an empty list when the database is sound, else SQLite's findings. */
    public static List<String> quickCheck(Path database) throws SQLException {
        return check(database, "PRAGMA quick_check");
    }

    /** {@code PRAGMA integrity_check}: slower than quick_check, also verifies index contents. */
    public static List<String> integrityCheck(Path database) throws SQLException {
        return check(database, "PRAGMA integrity_check");
    }

    private static List<String> check(Path database, String pragma) throws SQLException {
        Properties props = new Properties();
        props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        List<String> problems = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(), props);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(pragma)) {
            while (rs.next()) {
                String line = rs.getString(1);
                if (!"ok".equals(line)) {
                    problems.add(line);
                }
            }
        }
        return problems;
    }
}
