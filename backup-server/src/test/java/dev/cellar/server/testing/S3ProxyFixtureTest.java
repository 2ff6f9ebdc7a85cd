package dev.cellar.server.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ProxyFixtureTest {

    @Test
    void servesSignedRequestsOnARandomLocalPort() {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); S3Client client = s3.newClient()) {
            assertEquals("127.0.0.1", s3.endpoint().getHost());
            assertNotEquals(0, s3.endpoint().getPort());
            client.putObject(b -> b.bucket(s3.bucket()).key("a/b"), RequestBody.fromString("hello"));
            assertEquals("hello", client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("a/b")).asUtf8String());
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void rejectsAWrongSecret() {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
                S3Client client = S3Client.builder()
                        .endpointOverride(s3.endpoint())
                        .region(Region.of(s3.region()))
                        .forcePathStyle(true)
                        .httpClientBuilder(ApacheHttpClient.builder())
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey() + "x")))
                        .build()) {
            S3Exception e = assertThrows(S3Exception.class, () -> client.headBucket(b -> b.bucket(s3.bucket())));
            assertEquals(403, e.statusCode());
        }
    }

    @Test
    void acceptsMultipartUploadsFromTheSdk() {
        byte[] part1 = new byte[5 * 1024 * 1024];
        new Random(1).nextBytes(part1);
        byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); S3Client client = s3.newClient()) {
            String id = client.createMultipartUpload(b -> b.bucket(s3.bucket()).key("mp")).uploadId();
            String e1 = client.uploadPart(b -> b.bucket(s3.bucket()).key("mp").uploadId(id).partNumber(1),
                    RequestBody.fromBytes(part1)).eTag();
            String e2 = client.uploadPart(b -> b.bucket(s3.bucket()).key("mp").uploadId(id).partNumber(2),
                    RequestBody.fromBytes(part2)).eTag();
            client.completeMultipartUpload(b -> b.bucket(s3.bucket()).key("mp").uploadId(id)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                            CompletedPart.builder().partNumber(2).eTag(e2).build())));
            byte[] got = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("mp")).asByteArray();
            assertEquals(part1.length + part2.length, got.length);
            assertArrayEquals(part1, Arrays.copyOfRange(got, 0, part1.length));
            assertArrayEquals(part2, Arrays.copyOfRange(got, part1.length, got.length));
        }
    }

    @Test
    void filesystemVariantKeepsObjectsAcrossRestarts(@TempDir Path dir) {
        try (S3ProxyFixture s3 = S3ProxyFixture.startFilesystem(dir); S3Client client = s3.newClient()) {
            client.putObject(b -> b.bucket(s3.bucket()).key("kept"), RequestBody.fromString("on disk"));
        }
        try (S3ProxyFixture s3 = S3ProxyFixture.startFilesystem(dir); S3Client client = s3.newClient()) {
            assertEquals("on disk", client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("kept")).asUtf8String());
        }
    }
}
