package dev.cellar.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The first 100 bytes of a SQLite database file (https://www.sqlite.org/fileformat.html#the_database_header).
 */
public record SqliteHeader(int pageSize, long pageCount, boolean pageCountValid) {
    public static final int LENGTH = 100;
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * Reads the header.
     *
     * @throws NotSqliteException when the bytes are not a SQLite header
     */
    public static SqliteHeader parse(byte[] header) throws NotSqliteException {
        if (header.length < LENGTH) {
            throw new NotSqliteException("too short for a SQLite database: " + header.length + " bytes");
        }
        if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new NotSqliteException("not a SQLite database: the 'SQLite format 3' header is missing");
        }
        int rawPageSize = u16(header, 16);
        int pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new NotSqliteException("not a SQLite database: invalid page size " + rawPageSize);
        }
        long pageCount = u32(header, 28);
        // the in-header size is only meaningful when "version-valid-for" matches the change counter
        boolean valid = pageCount > 0 && u32(header, 24) == u32(header, 92);
        return new SqliteHeader(pageSize, pageCount, valid);
    }

    /** The file length the header promises, when it promises one. */
    public OptionalLong expectedLength() {
        return pageCountValid ? OptionalLong.of(pageCount * pageSize) : OptionalLong.empty();
    }

    /**
     * Checks that a file of {@code length} bytes is complete for this header.
     *
     * @throws NotSqliteException when it is truncated or padded
     */
    public void checkLength(long length) throws NotSqliteException {
        OptionalLong expected = expectedLength();
        if (expected.isPresent() && expected.getAsLong() != length) {
            throw new NotSqliteException("SQLite database is " + (length < expected.getAsLong() ? "truncated" : "padded")
                    + ": the header says " + pageCount + " pages of " + pageSize + " bytes = "
                    + expected.getAsLong() + " bytes, got " + length);
        }
        if (length % pageSize != 0) {
            throw new NotSqliteException("SQLite database is truncated: " + length
                    + " bytes is not a whole number of " + pageSize + "-byte pages");
        }
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
