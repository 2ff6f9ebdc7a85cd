package dev.cellar.server.snapshot;

import dev.cellar.core.SizeLimitExceededException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * The raw request body as the upload pipeline reads it: counted, capped at the maximum size, hashed for
 * {@code Content-Digest} when one was sent (the digest is null otherwise), paced ({@link UploadPace}), and with read failures marked as the client's ({@link ClientBodyException}) so they are not
 * mistaken for a corrupt body.
 */
final class BodyInput extends InputStream {
    private final InputStream in;
    private final long max;
    private final MessageDigest digest;
    private final UploadPace pace;
    private long count;
    private long waitedNanos;

    BodyInput(InputStream in, long max, MessageDigest digest, UploadPace pace) {
        this.in = in;
        this.max = max;
        this.digest = digest;
        this.pace = pace;
    }

    long count() {
        return count;
    }

    byte[] digest() {
        return digest.digest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        long before = System.nanoTime();
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw new ClientBodyException(e);
        }
        waitedNanos += System.nanoTime() - before;
        pace.check(count + Math.max(n, 0), waitedNanos);
        if (n > 0) {
            count += n;
            if (count > max) {
                throw new SizeLimitExceededException("the request body", max);
            }
            if (digest != null) {
                digest.update(b, off, n);
            }
        }
        return n;
    }

    @Override
    public void close() {
        // the servlet container owns the request stream
    }
}
