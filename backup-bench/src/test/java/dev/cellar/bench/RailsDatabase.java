package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

/**
 * A database shaped like a Rails app's (users, posts, comments, tags, taggings, Active Storage blobs, their
 * indexes), grown to a target size. Deterministic: same size, same rows, so runs on different days compare.
 * Text compresses about as well as real prose; the blobs (about an eighth of the file) do not compress at all.
 */
final class RailsDatabase {
    private static final String[] WORDS = ("the a of to and in is it you that he was for on are with as his they be at"
            + " one have this from or had by hot word but what some we can out other were all there when up use your"
            + " how said an each she which do their time if will way about many then them write would like so these"
            + " her long make thing see him two has look more day could go come did number sound no most people my"
            + " over know water than call first who may down side been now find invoice order customer shipped"
            + " payment refund session cart price quantity status pending delivered archived").split(" ");
    private static final int USERS = 20_000;
    private static final int TAGS = 400;

    private RailsDatabase() {
    }

    /** Creates {@code db} (if it is not already there from an earlier run) with about {@code bytes} bytes. */
    static Path create(Path db, long bytes) throws Exception {
        if (Files.exists(db)) {
            return db;
        }
        Path partial = db.resolveSibling(db.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        SplittableRandom random = new SplittableRandom(20261201L);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + partial); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = OFF"); // building only; the app's WAL mode is set at the end
            s.execute("PRAGMA synchronous = OFF");
            schema(s);
            c.setAutoCommit(false);
            users(c, random);
            try (PreparedStatement tag = c.prepareStatement("INSERT INTO tags (name) VALUES (?)")) {
                for (int i = 0; i < TAGS; i++) {
                    tag.setString(1, WORDS[i % WORDS.length] + "-" + i);
                    tag.addBatch();
                }
                tag.executeBatch();
            }
            long post = 0;
            while (Files.size(partial) < bytes) {
                post = posts(c, random, post, 2_000);
                c.commit();
            }
            c.setAutoCommit(true);
            s.execute("PRAGMA journal_mode = WAL");
        }
        Files.move(partial, db);
        return db;
    }

    private static void schema(Statement s) throws SQLException {
        s.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, encrypted_password TEXT,"
                + " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
        s.execute("CREATE UNIQUE INDEX index_users_on_email ON users (email)");
        s.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT, body TEXT,"
                + " published_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
        s.execute("CREATE INDEX index_posts_on_user_id ON posts (user_id)");
        s.execute("CREATE INDEX index_posts_on_published_at ON posts (published_at)");
        s.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
                + " body TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
        s.execute("CREATE INDEX index_comments_on_post_id ON comments (post_id)");
        s.execute("CREATE INDEX index_comments_on_user_id ON comments (user_id)");
        s.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        s.execute("CREATE UNIQUE INDEX index_tags_on_name ON tags (name)");
        s.execute("CREATE TABLE taggings (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL, post_id INTEGER NOT NULL)");
        s.execute("CREATE UNIQUE INDEX index_taggings_on_tag_id_and_post_id ON taggings (tag_id, post_id)");
        s.execute("CREATE TABLE active_storage_blobs (id INTEGER PRIMARY KEY, key TEXT NOT NULL, filename TEXT,"
                + " content_type TEXT, byte_size INTEGER, checksum TEXT, data BLOB, created_at TEXT NOT NULL)");
        s.execute("CREATE UNIQUE INDEX index_active_storage_blobs_on_key ON active_storage_blobs (key)");
        s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER, kind TEXT, payload TEXT,"
                + " created_at TEXT)"); // what the benchmark's writer appends to
    }

    private static void users(Connection c, SplittableRandom random) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("INSERT INTO users (email, name, encrypted_password, created_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < USERS; i++) {
                u.setString(1, "user" + i + "@example.com");
                u.setString(2, words(random, 2));
                u.setString(3, "$2a$12$" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()));
                u.setString(4, stamp(random));
                u.setString(5, stamp(random));
                u.addBatch();
            }
            u.executeBatch();
        }
    }

    /** {@code count} posts after {@code lastPost}, with their comments, taggings and now and then a blob. */
    private static long posts(Connection c, SplittableRandom random, long lastPost, int count) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO posts (id, user_id, title, body, published_at,"
                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement cm = c.prepareStatement("INSERT INTO comments (post_id, user_id, body, created_at,"
                     + " updated_at) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement tg = c.prepareStatement("INSERT OR IGNORE INTO taggings (tag_id, post_id) VALUES (?, ?)");
             PreparedStatement bl = c.prepareStatement("INSERT INTO active_storage_blobs (key, filename, content_type,"
                     + " byte_size, checksum, data, created_at) VALUES (?, ?, 'image/jpeg', ?, ?, ?, ?)")) {
            long id = lastPost;
            for (int i = 0; i < count; i++) {
                id++;
                p.setLong(1, id);
                p.setInt(2, 1 + random.nextInt(USERS));
                p.setString(3, words(random, 4 + random.nextInt(6)));
                p.setString(4, words(random, 80 + random.nextInt(300)));
                p.setString(5, random.nextInt(10) == 0 ? null : stamp(random));
                p.setString(6, stamp(random));
                p.setString(7, stamp(random));
                p.addBatch();
                for (int k = random.nextInt(8); k > 0; k--) {
                    cm.setLong(1, id);
                    cm.setInt(2, 1 + random.nextInt(USERS));
                    cm.setString(3, words(random, 10 + random.nextInt(50)));
                    cm.setString(4, stamp(random));
                    cm.setString(5, stamp(random));
                    cm.addBatch();
                }
                for (int k = random.nextInt(5); k > 0; k--) {
                    tg.setInt(1, 1 + random.nextInt(TAGS));
                    tg.setLong(2, id);
                    tg.addBatch();
                }
                if (id % 120 == 0) {
                    byte[] data = new byte[8192 + random.nextInt(48 * 1024)];
                    for (int b = 0; b < data.length; b += 8) {
                        long v = random.nextLong();
                        for (int k = 0; k < 8 && b + k < data.length; k++) {
                            data[b + k] = (byte) (v >>> (8 * k));
                        }
                    }
                    bl.setString(1, Long.toHexString(random.nextLong()) + id);
                    bl.setString(2, "photo-" + id + ".jpg");
                    bl.setInt(3, data.length);
                    bl.setString(4, Long.toHexString(random.nextLong()));
                    bl.setBytes(5, data);
                    bl.setString(6, stamp(random));
                    bl.addBatch();
                }
            }
            p.executeBatch();
            cm.executeBatch();
            tg.executeBatch();
            bl.executeBatch();
            return id;
        }
    }

    private static String words(SplittableRandom random, int n) {
        StringBuilder b = new StringBuilder(n * 6);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    private static String stamp(SplittableRandom random) {
        return String.format(java.util.Locale.ROOT, "2026-%02d-%02d %02d:%02d:%02d.%06d", 1 + random.nextInt(11),
                1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                random.nextInt(1_000_000));
    }
}
