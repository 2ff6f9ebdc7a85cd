package dev.cellar.server.snapshot;

import dev.cellar.server.storage.StagedBlob;
import java.io.OutputStream;

/**
 * Where the stored form of an upload goes when it is only to be verified: a body that declared the latest
 * snapshot's digest ends as "unchanged", so writing it to storage would be spent for nothing.
 */
final class DiscardedBlob implements StagedBlob {
    private final OutputStream output = OutputStream.nullOutputStream();

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public void commit(String key) {
        throw new IllegalStateException("a verified-only upload is never stored");
    }

    @Override
    public void close() {
        // nothing was kept
    }
}
