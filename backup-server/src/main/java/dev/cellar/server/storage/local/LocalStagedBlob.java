package dev.cellar.server.storage.local;

import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.StorageException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file in the store's staging folder, renamed into place on commit. */
final class LocalStagedBlob implements StagedBlob {
    private final LocalBlobStore store;
    private final Path tmp;
    private final FileChannel channel;
    private final CountingOutput output;
    private boolean done;

    LocalStagedBlob(LocalBlobStore store, Path tmp) {
        this.store = store;
        this.tmp = tmp;
        try {
            this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("cannot create staging file: " + e.getMessage(), e);
        }
        this.output = new CountingOutput(new BufferedOutputStream(Channels.newOutputStream(channel), 256 * 1024));
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public long size() {
        return output.count;
    }

    @Override
    public void commit(String key) {
        if (done) {
            throw new IllegalStateException("already committed or discarded");
        }
        try {
            output.flush();
            channel.force(true);
            channel.close();
            store.install(tmp, key);
            done = true;
        } catch (IOException e) {
            throw new StorageException("cannot store " + key + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                close();
            }
        }
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        LocalBlobStore.deleteQuietly(tmp);
    }

    /** Counts bytes and turns disk errors into storage errors (a full disk is the store failing). */
    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new StorageException("cannot write staging file: " + e.getMessage(), e);
            }
            count += len;
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new StorageException("cannot write staging file: " + e.getMessage(), e);
            }
        }
    }
}
