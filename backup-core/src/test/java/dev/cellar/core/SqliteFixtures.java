package dev.cellar.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/** Real SQLite database files, written by SQLite itself, for the tests of this package. */
final class SqliteFixtures {
    private SqliteFixtures() {
    }

    /**
     * A database with one table of {@code rows} rows (a name and a random blob each) and an index on the name.
     *
     * @param pageSize 0 for SQLite's default
     */
    static Path create(Path file, int pageSize, int rows) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = c.createStatement()) {
            if (pageSize != 0) {
                // only takes effect before the first table exists
                s.execute("PRAGMA page_size=" + pageSize);
            }
            s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
            s.execute("CREATE INDEX items_name ON items(name)");
            c.setAutoCommit(false);
            Random random = new Random(rows);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO items (name, data) VALUES (?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    byte[] blob = new byte[random.nextInt(300)];
                    random.nextBytes(blob);
                    p.setString(1, "item-" + i);
                    p.setBytes(2, blob);
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + file, e);
        }
        return file;
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static void putU32(byte[] b, int at, long value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }
}
