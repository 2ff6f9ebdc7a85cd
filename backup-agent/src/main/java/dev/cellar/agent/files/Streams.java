package dev.cellar.agent.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copying with a buffer large enough that per-call overhead (JNI into zstd, digest updates) stays invisible. */
public final class Streams {
    public static final int BUFFER = 256 * 1024;

    private Streams() {
    }

    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
