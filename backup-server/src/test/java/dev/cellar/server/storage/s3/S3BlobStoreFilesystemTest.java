package dev.cellar.server.storage.s3;

import dev.cellar.server.testing.S3ProxyFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The same tests against S3Proxy keeping objects as files, which handles multipart uploads differently. */
class S3BlobStoreFilesystemTest extends S3BlobStoreTest {
    @Override
    protected S3ProxyFixture startFixture() {
        try {
            // java.io.tmpdir points into target/ for test runs
            return S3ProxyFixture.startFilesystem(Files.createTempDirectory("s3proxy-files"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
