package dev.cellar.agent.files;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Free-space accounting for one folder: {@link #require} checks an estimate before a write starts, and
 * {@link #limit} wraps a stream so that a write whose size is not known in advance (compression, decompression)
 * stops before it eats into the reserve instead of filling the volume.
 */
public final class SpaceBudget {
    private final DiskSpace disk;
    private final long minFree;

    public SpaceBudget(DiskSpace disk, long minFree) {
        this.disk = disk;
        this.minFree = minFree;
    }

    /** @throws InsufficientSpaceException when {@code bytes} more would leave less than the reserve */
    public void require(String what, Path folder, long bytes) throws IOException {
        long usable = disk.usableBytes(folder);
        if (usable - minFree < bytes) {
            throw new InsufficientSpaceException(what, folder, bytes, usable, minFree);
        }
    }

    /** A stream into {@code folder} that fails once it has taken all the space above the reserve. */
    public OutputStream limit(String what, Path folder, OutputStream out) throws IOException {
        long usable = disk.usableBytes(folder);
        long allowance = usable - minFree;
        if (allowance <= 0) {
            throw new InsufficientSpaceException(what, folder, 1, usable, minFree);
        }
        return new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > allowance) {
                    throw new InsufficientSpaceException(what, folder, written + len, usable, minFree);
                }
                out.write(b, off, len);
                written += len;
            }
        };
    }
}
