package dev.cellar.server.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.BlobStoreContract;
import dev.cellar.server.storage.StorageException;
import dev.cellar.server.testing.S3ProxyFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The store contract against S3Proxy keeping objects in memory, plus what only the S3 store has. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BlobStoreTest extends BlobStoreContract {
    protected S3ProxyFixture s3;
    protected S3Client raw;
    private S3Settings settings;

    /** The server the tests run against; the filesystem variant overrides this. */
    protected S3ProxyFixture startFixture() {
        return S3ProxyFixture.start();
    }

    @BeforeAll
    void startServer() {
        s3 = startFixture();
        raw = s3.newClient();
    }

    @AfterAll
    void stopServer() {
        raw.close();
        s3.close();
    }

    @Override
    protected BlobStore newStore() {
        settings = S3TestSupport.settings(s3);
        return S3BlobStore.connect(settings);
    }

    @Override
    protected void assertNoUploadLeftovers() {
        S3TestSupport.assertNoUploadLeftovers(raw, s3.bucket(), settings.prefix());
    }

    @Test
    void objectsLiveUnderThePrefixAndOnlyThoseAreVisible() {
        store.put("a/b", "mine".getBytes(UTF_8));
        assertArrayEquals("mine".getBytes(UTF_8),
                raw.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(settings.prefix() + "a/b")).asByteArray());
        raw.putObject(b -> b.bucket(s3.bucket()).key("a/outside"), RequestBody.fromString("not mine"));
        try (S3BlobStore neighbour = S3BlobStore.connect(settings.withPrefix(S3TestSupport.uniquePrefix()))) {
            neighbour.put("a/b", "theirs".getBytes(UTF_8));
            assertEquals(List.of("a/"), store.folders(""));
            assertEquals(1, store.list("", null, 10).entries().size());
            assertEquals("mine", new String(store.read("a/b").orElseThrow(), UTF_8));
            assertEquals(Optional.empty(), store.read("outside"));
        } finally {
            raw.deleteObject(b -> b.bucket(s3.bucket()).key("a/outside"));
        }
    }

    @Test
    void stagingKeysAreReserved() {
        assertThrows(IllegalArgumentException.class, () -> store.put("staging/x", new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> store.put("a//b", new byte[1]));
    }

    @Test
    void describeNamesBucketPrefixAndEndpoint() {
        assertEquals("s3://" + s3.bucket() + "/" + settings.prefix() + " (" + s3.endpoint() + ")", store.describe());
    }

    @Test
    void checkBucketPassesWithGoodSettings() {
        assertDoesNotThrow(((S3BlobStore) store)::checkBucket);
    }

    @Test
    void wrongCredentialsFailAsStorageErrorsNamingBucketAndEndpoint() {
        String badSecret = "not-" + s3.secretKey();
        try (S3BlobStore bad = S3BlobStore.connect(settings.withCredentials(s3.accessKey(), badSecret))) {
            StorageException e = assertThrows(StorageException.class, bad::checkBucket);
            assertTrue(e.getMessage().contains(s3.bucket()) && e.getMessage().contains(s3.endpoint().toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("403"), e.getMessage());
            assertFalse(e.getMessage().contains(badSecret), e.getMessage());
            // refused is not missing: a read must not report "no such object"
            assertThrows(StorageException.class, () -> bad.read("a/b"));
            assertThrows(StorageException.class, () -> bad.list("", null, 10));
        }
    }

    @Test
    void missingBucketIsAnErrorNotAMissingObject() {
        S3Settings elsewhere = new S3Settings("no-such-bucket", settings.endpoint(), settings.region(),
                settings.accessKeyId(), settings.secretAccessKey(), true, "", S3TestSupport.PART, S3TestSupport.PART);
        try (S3BlobStore missing = S3BlobStore.connect(elsewhere)) {
            StorageException e = assertThrows(StorageException.class, missing::checkBucket);
            assertTrue(e.getMessage().contains("no-such-bucket"), e.getMessage());
            assertThrows(StorageException.class, () -> missing.read("a/b"));
        }
    }

    @Test
    void unreachableEndpointFailsAsStorageErrors() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        try (S3BlobStore unreachable = S3BlobStore.connect(settings.withEndpoint(nowhere))) {
            StorageException e = assertThrows(StorageException.class, unreachable::checkBucket);
            assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
            assertThrows(StorageException.class, () -> unreachable.put("k", new byte[1]));
            assertThrows(StorageException.class, () -> unreachable.read("k"));
            assertThrows(StorageException.class, () -> unreachable.open("k", 0, -1));
        }
    }
}
