package dev.cellar.core;

import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * A sink that database-image bytes flow through: it counts them, hashes them (SHA-256), checks the SQLite header as
 * soon as it has arrived and refuses to take more than {@code maxBytes}. {@link #finish()} checks the length
 * against the header. Nothing is buffered beyond the 100-byte header.
 */
public final class SqliteImageInspector extends OutputStream {
    private final long maxBytes;
    private final MessageDigest sha256 = Hex.sha256();
    private final byte[] headerBytes = new byte[SqliteHeader.LENGTH];
    private SqliteHeader header;
    private long length;
    private Result result;

    public SqliteImageInspector(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** What the inspector learned of a complete, valid image. */
    public record Result(long sizeBytes, String sha256, SqliteHeader header) {
    }

    @Override
    public void write(int b) throws java.io.IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
        if (len == 0) {
            return;
        }
        if (length + len > maxBytes) {
            throw new SizeLimitExceededException("the database image", maxBytes);
        }
        if (length < SqliteHeader.LENGTH) {
            int n = (int) Math.min(len, SqliteHeader.LENGTH - length);
            System.arraycopy(b, off, headerBytes, (int) length, n);
            if (length + n == SqliteHeader.LENGTH) {
                header = SqliteHeader.parse(headerBytes);
            }
        }
        sha256.update(b, off, len);
        length += len;
    }

    public long length() {
        return length;
    }

    /**
     * @throws NotSqliteException when the image is empty, too short, or its length disagrees with its header
     */
    public Result finish() throws NotSqliteException {
        if (result != null) {
            return result; // the digest can only be taken once
        }
        if (length == 0) {
            throw new NotSqliteException("the database image is empty");
        }
        if (header == null) {
            throw new NotSqliteException("too short for a SQLite database: " + length + " bytes");
        }
        header.checkLength(length);
        result = new Result(length, Hex.of(sha256.digest()), header);
        return result;
    }
}
