package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A SQLite image of {@code length} bytes produced on the fly: the given header, then pseudo-random bytes from
 * a fixed seed. Same arguments, same bytes.
 */
public final class GeneratedSqliteImage extends InputStream {
    public static final int PAGE_SIZE = 65536;

    private final byte[] header;
    private final long length;
    private final SplittableRandom random;
    private final byte[] block = new byte[PAGE_SIZE];
    private int blockPos = PAGE_SIZE;
    private long pos;
    /** System.nanoTime() when the last byte was read; 0 before. */
    volatile long finishedAt;

    public GeneratedSqliteImage(byte[] header, long length, long seed) {
        this.header = header.clone();
        this.length = length;
        this.random = new SplittableRandom(seed);
    }

    /**
     * The 100-byte header of a real database made by SQLite with 64 KiB pages, with its page count patched so that
     * page count x page size = {@code imageBytes}; "version-valid-for" (92) is kept equal to the change counter (24)
     * so that the count is trusted.
     */
    public static byte[] headerFor(long imageBytes, Path small) throws Exception {
        assertEquals(0, imageBytes % PAGE_SIZE, "the image must be whole pages");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + small); Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size=" + PAGE_SIZE);
            s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
            s.execute("INSERT INTO items (name) VALUES ('large upload')");
        }
        byte[] h = Arrays.copyOf(Files.readAllBytes(small), 100);
        assertEquals("SQLite format 3\0", new String(h, 0, 16, StandardCharsets.US_ASCII));
        h[16] = 0;
        h[17] = 1; // 65536 is written as 1
        long pages = imageBytes / PAGE_SIZE;
        putU32(h, 28, pages);
        System.arraycopy(h, 24, h, 92, 4);
        return h;
    }

    private static void putU32(byte[] b, int at, long value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= length) {
            if (finishedAt == 0) {
                finishedAt = System.nanoTime();
            }
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (blockPos == PAGE_SIZE) {
            fill();
        }
        int n = (int) Math.min(Math.min(len, PAGE_SIZE - blockPos), length - pos);
        System.arraycopy(block, blockPos, b, off, n);
        blockPos += n;
        pos += n;
        return n;
    }

    private void fill() {
        for (int i = 0; i < PAGE_SIZE; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                block[i + k] = (byte) (v >>> (8 * k));
            }
        }
        if (pos == 0) {
            System.arraycopy(header, 0, block, 0, header.length);
        }
        blockPos = 0;
    }
}
