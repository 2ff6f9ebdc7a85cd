package dev.cellar.server.storage.s3;

import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.BlobStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The store contract against LocalStack's S3, a second independent implementation. Skipped where no Docker engine
 * runs. The container is built in {@link #startLocalStack()}, not in a field, because its constructor already
 * asks Docker for its socket.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BlobStoreLocalStackTest extends BlobStoreContract {
    // the last releases that run without a LocalStack account token
    private static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");
    private static final String BUCKET = "cellar-test";

    private LocalStackContainer localStack;
    private S3Client raw;
    private S3Settings settings;

    @BeforeAll
    void startLocalStack() {
        localStack = new LocalStackContainer(IMAGE).withServices("s3");
        localStack.start();
        S3Settings base = base();
        raw = S3BlobStore.newClient(base, o -> { });
        raw.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    void stopLocalStack() {
        if (raw != null) {
            raw.close();
        }
        if (localStack != null) {
            localStack.stop();
        }
    }

    private S3Settings base() {
        return S3Settings.of(BUCKET, localStack.getEndpoint(), localStack.getRegion(), localStack.getAccessKey(),
                localStack.getSecretKey(), true);
    }

    @Override
    protected BlobStore newStore() {
        settings = base().withPrefix(S3TestSupport.uniquePrefix())
                .withPartSizes(S3TestSupport.PART, S3Settings.DEFAULT_COPY_PART_SIZE);
        return S3BlobStore.connect(settings);
    }

    @Override
    protected void assertNoUploadLeftovers() {
        S3TestSupport.assertNoUploadLeftovers(raw, BUCKET, settings.prefix());
    }
}
