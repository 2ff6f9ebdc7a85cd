package dev.cellar.server.storage;

import java.io.OutputStream;

/**
 * An object being written. Write its content to {@link #output()}, then {@link #commit} it under a key or
 * {@link #close()} it to discard it. Memory used does not grow with the content's size.
 */
public interface StagedBlob extends AutoCloseable {

    /** Where the content goes. Do not close it; {@link #commit} finishes it. */
    OutputStream output();

    /** Bytes written so far. */
    long size();

    /** Makes everything written visible under {@code key}, atomically: readers see all of it or nothing. */
    void commit(String key);

    /** Discards the content unless it was committed. Never throws. */
    @Override
    void close();
}
