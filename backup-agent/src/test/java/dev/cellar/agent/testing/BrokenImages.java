package dev.cellar.agent.testing;

import dev.cellar.agent.client.BackupClient;
import dev.cellar.core.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SQLite images that pass the header and length check but whose b-trees are broken, as a bad disk or a bug can
 * leave them; only {@code integrity_check} finds the damage. The server stores such an upload.
 */
public final class BrokenImages {
    private static final byte INTERIOR_TABLE_PAGE = 0x05;

    private BrokenImages() {
    }

    /**
     * Points the right-most child of the {@code items} table's root page (an interior page once the table spans
     * several pages) past the end of the file. Header, page size and length stay valid.
     */
    public static void breakBTree(Path db) throws Exception {
        int root;
        int pageSize;
        long pages;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=DELETE"); // everything in the main file, no WAL to replay
            root = single(s, "SELECT rootpage FROM sqlite_schema WHERE name = 'items'");
            pageSize = single(s, "PRAGMA page_size");
            pages = single(s, "PRAGMA page_count");
        }
        byte[] bytes = Files.readAllBytes(db);
        int header = (root - 1) * pageSize + (root == 1 ? 100 : 0);
        if (bytes[header] != INTERIOR_TABLE_PAGE) {
            throw new IllegalStateException("the items table is too small to have an interior root page");
        }
        ByteBuffer.wrap(bytes, header + 8, 4).putInt((int) pages + 1000);
        Files.write(db, bytes);
    }

    /** Uploads {@code image} as it is, as an agent would (zstd, its declared SHA-256); returns the version. */
    public static String upload(BackupClient client, String database, Path image) throws Exception {
        byte[] bytes = Files.readAllBytes(image);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return client.upload(database, () -> {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (OutputStream z = Zstd.compress(compressed, 3, 0)) {
                z.write(bytes);
            }
            return new java.io.ByteArrayInputStream(compressed.toByteArray());
        }, bytes.length, sha256, Optional.empty()).version();
    }

    private static int single(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            return r.getInt(1);
        }
    }
}
