package dev.cellar.agent.restore;

import dev.cellar.agent.files.Streams;
import dev.cellar.core.BoundedPipe;
import dev.cellar.core.Zstd;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * download | decompress | write and hash: the calling thread reads the download (and resumes it), a second
 * thread decompresses, a third writes the image file and feeds the inspector, joined by {@link BoundedPipe}s of
 * {@link #CHUNKS} × {@link #CHUNK} bytes. Any stage's failure is thrown by {@link #run} as it was raised.
 */
final class RestoreStages {
    static final int CHUNKS = 8;
    static final int CHUNK = Streams.BUFFER;

    private RestoreStages() {
    }

    /** Decompresses {@code stored} into {@code image} (the file and the inspector); closes neither. */
    static void run(InputStream stored, OutputStream image) throws IOException {
        try (BoundedPipe.Stage<Void> write = BoundedPipe.consume("restore write", CHUNKS, CHUNK, in -> {
            Streams.copy(in, image);
            return null;
        }); BoundedPipe.Stage<Void> decode = BoundedPipe.consume("restore decompress", CHUNKS, CHUNK, in -> {
            try (InputStream decompressed = Zstd.decompress(new FilterInputStream(in) {
                @Override
                public void close() {
                    // the pipe is drained below, then closed by its stage
                }
            })) {
                Streams.copy(decompressed, write.output());
            }
            if (in.transferTo(OutputStream.nullOutputStream()) > 0) {
                throw new IOException("bytes after the last zstd frame");
            }
            return null;
        })) {
            Streams.copy(stored, decode.output());
            decode.finish();
            write.finish();
        }
    }
}
