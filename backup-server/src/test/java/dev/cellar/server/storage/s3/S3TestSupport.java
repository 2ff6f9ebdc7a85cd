package dev.cellar.server.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.testing.S3ProxyFixture;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Settings and bucket checks the S3 tests share. */
final class S3TestSupport {
    static final long PART = 5L << 20;

    private S3TestSupport() {
    }

    /** Settings for the fixture's bucket under a prefix of their own, with the smallest parts S3 allows. */
    static S3Settings settings(S3ProxyFixture s3) {
        return S3Settings.of(s3.bucket(), s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), true)
                .withPrefix(uniquePrefix())
                .withPartSizes(PART, S3Settings.DEFAULT_COPY_PART_SIZE);
    }

    static String uniquePrefix() {
        return "t-" + UUID.randomUUID() + "/";
    }

    /** No multipart upload under the prefix is still open, and no staging object is left. */
    static void assertNoUploadLeftovers(S3Client raw, String bucket, String prefix) {
        List<String> uploads = raw.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads().stream()
                .map(MultipartUpload::key).toList();
        assertEquals(List.of(), uploads, "open multipart uploads");
        List<String> staged = raw.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + S3BlobStore.STAGING))
                .contents().stream().map(S3Object::key).toList();
        assertEquals(List.of(), staged, "staging objects");
    }
}
