package dev.cellar.server.snapshot;

import dev.cellar.core.BoundedPipe;
import dev.cellar.core.Zstd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.apache.commons.io.output.TeeOutputStream;

/**
 * The streaming part of an upload: the body into the stored (zstd) form and the image (decompressed) into the
 * checks. A zstd body, the agent's, runs as three stages joined by {@link BoundedPipe}s: the request thread reads
 * the network and writes storage, a second thread decompresses, a third hashes and checks the image, so none waits
 * for another beyond {@link #PIPE_CHUNKS} chunks of {@link #PIPE_CHUNK} bytes. Decompressing and hashing cost
 * about the same (1.1 and 0.9 s of CPU per GiB on the benchmark's machine): on one thread they took 2 s per GiB,
 * twice what either takes alone.
 */
final class IngestCopy {
    /** Compression level the server uses for bodies it must compress itself (gzip and raw uploads). */
    private static final int SERVER_ZSTD_LEVEL = 3;
    static final int PIPE_CHUNKS = 16;
    static final int PIPE_CHUNK = 64 * 1024;

    private IngestCopy() {
    }

    /**
     * Streams the body into the image checks and into {@code stored}. A failure of the checks is thrown as it was
     * raised, whichever thread raised it.
     */
    static void copy(BodyFormat format, InputStream body, OutputStream image, OutputStream stored)
            throws IOException {
        if (format == BodyFormat.ZSTD) {
            copyZstd(body, image, stored);
            return;
        }
        InputStream decoded = format == BodyFormat.GZIP
                ? GzipCompressorInputStream.builder().setInputStream(body).setDecompressConcatenated(true).get()
                : body;
        try (OutputStream compressed = Zstd.compress(CloseShieldOutputStream.wrap(stored), SERVER_ZSTD_LEVEL, 0)) {
            // the inspector first, so a body that is not SQLite is refused before it is compressed
            decoded.transferTo(new TeeOutputStream(image, compressed));
        }
    }

    /** The body already is the stored form: keep it as sent, decompress a copy for the checks on the side. */
    private static void copyZstd(InputStream body, OutputStream image, OutputStream stored) throws IOException {
        try (BoundedPipe.Stage<Void> check = BoundedPipe.consume("ingest-check", PIPE_CHUNKS, PIPE_CHUNK, in -> {
            in.transferTo(image);
            return null;
        }); BoundedPipe.Stage<Void> decode = BoundedPipe.consume("ingest-decode", PIPE_CHUNKS, PIPE_CHUNK, in -> {
            try (InputStream decompressed = Zstd.decompress(CloseShieldInputStream.wrap(in))) {
                decompressed.transferTo(check.output()); // a failed check is thrown here, then to the request thread
            }
            if (in.transferTo(OutputStream.nullOutputStream()) > 0) {
                throw new IOException("bytes after the last zstd frame");
            }
            return null;
        })) {
            byte[] buffer = new byte[PIPE_CHUNK];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                decode.output().write(buffer, 0, n); // first: a body the checks refused stops being stored
                stored.write(buffer, 0, n);
            }
            decode.finish();
            check.finish();
        }
    }
}
