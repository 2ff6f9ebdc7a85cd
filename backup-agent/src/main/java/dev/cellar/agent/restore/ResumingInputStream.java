package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.client.SnapshotResponse;
import dev.cellar.agent.client.SnapshotSelector;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * The stored bytes of one pinned snapshot version, read across as many HTTP responses as it takes: when a
 * connection drops, the next response starts where the last one stopped ({@code Range: bytes=N-}).
 */
final class ResumingInputStream extends InputStream {
    private final BackupClient client;
    private final Retrier retrier;
    private final int maxFruitlessResumes;
    private final String database;
    private final SnapshotSelector pinned;
    private final long total;
    private SnapshotResponse current;
    private long position;
    private int fruitless;
    private int resumes;

    /** @param first the response that chose the version; {@code total} is its length, or -1 when unknown */
    ResumingInputStream(BackupClient client, Retrier retrier, int maxFruitlessResumes, String database,
                        SnapshotResponse first, long total) {
        this.client = client;
        this.retrier = retrier;
        this.maxFruitlessResumes = maxFruitlessResumes;
        this.database = database;
        this.pinned = SnapshotSelector.version(first.version());
        this.current = first;
        this.total = total;
    }

    long position() {
        return position;
    }

    int resumes() {
        return resumes;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            IOException failure;
            try {
                int n = current.body().read(b, off, len);
                if (n > 0) {
                    position += n;
                    fruitless = 0;
                    return n;
                }
                if (n < 0 && (total < 0 || position >= total)) {
                    return -1;
                }
                failure = new IOException("the download ended after " + position + " of " + total + " bytes");
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                failure = e;
            }
            resume(failure);
        }
    }

    private void resume(IOException failure) throws IOException {
        if (++fruitless > maxFruitlessResumes) {
            throw new IOException("the download of " + database + " broke off " + fruitless
                    + " times without progress at byte " + position, failure);
        }
        closeCurrent();
        resumes++;
        try {
            SnapshotResponse next = retrier.call("download of " + database + " from byte " + position,
                    () -> client.download(database, pinned, position));
            if (next.offset() > position) {
                next.body().close();
                throw new IOException("the server resumed the download of " + database + " at byte " + next.offset()
                        + " instead of " + position);
            }
            if (next.offset() < position) {
                // the server ignored the range and starts over: skip what we already have
                next.body().skipNBytes(position - next.offset());
            }
            current = next;
        } catch (ApiException e) {
            throw new IOException("resuming the download of " + database + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
    }

    private void closeCurrent() {
        try {
            current.body().close();
        } catch (IOException e) {
            // the connection is broken already
        }
    }

    @Override
    public void close() {
        closeCurrent();
    }
}
