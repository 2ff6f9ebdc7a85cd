package dev.cellar.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.BlobStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new LocalBlobStore(root);
    }

    @Override
    protected void assertNoUploadLeftovers() {
        try (Stream<Path> files = Files.list(root.resolve(LocalBlobStore.STAGING))) {
            assertEquals(List.of(), files.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
