package dev.cellar.server.storage;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where snapshots and the catalog's small metadata objects live: the seam between the server and S3-compatible
 * storage or local files. Keys are '/'-separated paths without a leading '/', like S3 keys; a "folder" is a key
 * prefix ending in '/'. Nothing above this interface knows which implementation it has.
 *
 * <p>Every method throws {@link StorageException} when the store cannot be reached or fails.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Starts writing a new object. Its bytes are invisible to every reader until {@link StagedBlob#commit} names
     * its key; a staged blob closed without commit leaves nothing behind.
     */
    StagedBlob stage();

    /**
     * Starts writing a new object whose key is known before its content: as {@link #stage()}, invisible until
     * {@link StagedBlob#commit} with this same key, but a store may write it in place instead of staging and
     * copying it (S3: a multipart upload straight to the key, completed at commit and aborted on close).
     */
    default StagedBlob stageAt(String key) {
        return stage();
    }

    /** Writes a small object in one request, replacing any object with that key. */
    void put(String key, byte[] content);

    /**
     * Writes a small object only if no object has that key yet, atomically: of two writers racing for one key,
     * exactly one succeeds. A retried write whose first attempt already stored the same bytes counts as success.
     *
     * @return false when another object already holds the key
     */
    boolean putIfAbsent(String key, byte[] content);

    /** Reads a whole small object; empty when there is none. */
    Optional<byte[]> read(String key);

    /** The size of an object in bytes; empty when there is none. */
    OptionalLong size(String key);

    /**
     * Opens an object for reading.
     *
     * @param offset first byte to read
     * @param length how many bytes to read, or -1 for the rest of the object
     * @return empty when there is no such object
     */
    Optional<InputStream> open(String key, long offset, long length);

    /**
     * Lists the keys in a folder and all its sub-folders in ascending (byte) order.
     *
     * @param folder a prefix ending in '/'
     * @param startAfter list only keys greater than this one; null to start at the beginning
     * @param max at most this many entries (1..1000)
     */
    BlobPage list(String folder, String startAfter, int max);

    /** Every key in a folder and its sub-folders, page after page, in ascending order: for small folders. */
    default List<BlobPage.Entry> listAll(String folder) {
        List<BlobPage.Entry> all = new ArrayList<>();
        String after = null;
        BlobPage page;
        do {
            page = list(folder, after, 1000);
            all.addAll(page.entries());
            after = page.entries().isEmpty() ? null : page.entries().get(page.entries().size() - 1).key();
        } while (page.truncated() && after != null);
        return all;
    }

    /** The immediate sub-folders of a folder, each ending in '/', in ascending order. */
    List<String> folders(String folder);

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key);

    /**
     * Removes what staged blobs started before {@code cutoff} left behind and nobody will commit any more: parts of
     * uploads in progress, staging files or objects. Idempotent, and safe while other writers stage new content.
     *
     * @return how many staged uploads were discarded
     */
    int discardStagedBefore(Instant cutoff);

    /** A short description for logs, never containing a secret. */
    String describe();

    @Override
    void close();
}
