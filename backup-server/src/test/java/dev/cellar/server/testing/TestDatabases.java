package dev.cellar.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Real SQLite database files for tests, made by SQLite itself. */
public final class TestDatabases {
    private TestDatabases() {
    }

    /** A database with a table of {@code rows} rows (an id, a text and a random blob each) and an index. */
    public static Path create(Path file, int rows, long seed) throws SQLException {
        try (Connection c = open(file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
            s.execute("CREATE INDEX IF NOT EXISTS items_name ON items(name)");
            addRows(c, rows, seed);
        }
        return file;
    }

    /** Appends rows to the items table. */
    public static void addRows(Path file, int rows, long seed) throws SQLException {
        try (Connection c = open(file)) {
            addRows(c, rows, seed);
        }
    }

    /** Every row of the items table, in id order, as text. */
    public static List<String> rows(Path file) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = open(file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, hex(data) FROM items ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        }
        return out;
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void addRows(Connection c, int rows, long seed) throws SQLException {
        Random random = new Random(seed);
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items (name, data) VALUES (?, ?)")) {
            for (int i = 0; i < rows; i++) {
                byte[] blob = new byte[random.nextInt(200)];
                random.nextBytes(blob);
                p.setString(1, "item-" + seed + "-" + i);
                p.setBytes(2, blob);
                p.addBatch();
            }
            p.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }
}
