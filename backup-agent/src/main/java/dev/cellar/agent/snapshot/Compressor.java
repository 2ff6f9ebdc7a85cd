package dev.cellar.agent.snapshot;

import dev.cellar.agent.files.Streams;
import dev.cellar.core.BoundedPipe;
import dev.cellar.core.Zstd;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * image file → zstd → upload body, while the body is being sent: a thread compresses into a {@link BoundedPipe} of
 * {@link #CHUNKS} × {@link #CHUNK} bytes that the HTTP client reads from, so compression and upload overlap and no
 * compressed copy is ever written to disk. The trade: a retried upload compresses the image again (one more
 * compression, about as long as the upload itself on a fast link) instead of re-reading a compressed file, and the
 * body's digest cannot be sent before it; the image's digest, known before compressing, is sent instead.
 */
public final class Compressor {
    static final int CHUNKS = 8;
    static final int CHUNK = Streams.BUFFER;
    private final int level;
    private final int workers;

    public Compressor(int level, int workers) {
        this.level = level;
        this.workers = workers;
    }

    /**
     * A fresh compressed stream of {@code image}, produced as it is read. Close it when done: closing it early
     * stops the compression.
     */
    public InputStream stream(Path image) {
        return BoundedPipe.produce("compress " + image.getFileName(), CHUNKS, CHUNK, out -> {
            try (InputStream in = Files.newInputStream(image); OutputStream zstd = Zstd.compress(out, level, workers)) {
                Streams.copy(in, zstd);
            }
        });
    }
}
