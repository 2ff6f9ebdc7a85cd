package dev.cellar.server.storage.s3;

import java.net.URI;
import java.util.Objects;

/**
 * Where and how to reach an S3-compatible bucket (AWS S3, Tigris, R2, MinIO, ...).
 *
 * @param bucket            the bucket name
 * @param endpoint          the service URL, e.g. {@code https://fly.storage.tigris.dev}; null for AWS itself
 * @param region            the signing region ({@code us-east-1}, {@code auto} for Tigris and R2)
 * @param accessKeyId       the access key id; null (with the secret) for the AWS SDK's default credential chain
 * @param secretAccessKey   the secret; never printed
 * @param pathStyle         address the bucket as {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}
 * @param prefix            where in the bucket the store lives: "" or a path ending in '/'
 * @param partSizeBytes     upload part size, which is also the heap each upload in progress uses; 5 MiB..1 GiB
 * @param copyPartSizeBytes objects up to this size are committed with one CopyObject, larger ones are copied
 *                          in parts of this size; 5 MiB..5 GiB
 */
public record S3Settings(
        String bucket,
        URI endpoint,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean pathStyle,
        String prefix,
        long partSizeBytes,
        long copyPartSizeBytes) {

    public static final long MIB = 1L << 20;
    /** S3 refuses parts smaller than this, except the last one. */
    public static final long MIN_PART_SIZE = 5 * MIB;
    public static final long DEFAULT_PART_SIZE = 8 * MIB;
    /** The part is held in one array, so it must stay well below 2 GiB. */
    public static final long MAX_PART_SIZE = 1024 * MIB;
    /** The largest object one CopyObject may copy, and the largest part UploadPartCopy may create. */
    public static final long MAX_COPY_SIZE = 5L << 30;
    public static final long DEFAULT_COPY_PART_SIZE = MAX_COPY_SIZE;

    public S3Settings {
        require(bucket != null && !bucket.isBlank() && bucket.indexOf('/') < 0,
                "bucket must be a non-empty name without '/'");
        if (endpoint != null) {
            require(endpoint.isAbsolute() && endpoint.getHost() != null
                            && ("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())),
                    "endpoint must be an absolute http(s) URL, got " + endpoint);
            // credentials belong in their own fields: an endpoint ends up in logs and error messages
            require(endpoint.getRawUserInfo() == null, "endpoint must not contain user information");
        }
        require(region != null && !region.isBlank(), "region is required");
        require((accessKeyId == null) == (secretAccessKey == null),
                "access key id and secret access key come together, or neither (the default credential chain)");
        require(accessKeyId == null || !accessKeyId.isBlank(), "access key id must not be blank");
        require(secretAccessKey == null || !secretAccessKey.isEmpty(), "secret access key must not be empty");
        Objects.requireNonNull(prefix, "prefix");
        require(prefix.isEmpty() || (prefix.endsWith("/") && !prefix.startsWith("/")),
                "prefix must be empty or end with '/' and not start with '/', got '" + prefix + "'");
        require(partSizeBytes >= MIN_PART_SIZE && partSizeBytes <= MAX_PART_SIZE,
                "part size must be between 5 MiB and 1 GiB, got " + partSizeBytes);
        require(copyPartSizeBytes >= MIN_PART_SIZE && copyPartSizeBytes <= MAX_COPY_SIZE,
                "copy part size must be between 5 MiB and 5 GiB, got " + copyPartSizeBytes);
    }

    /** Settings with the default part sizes and no prefix. */
    public static S3Settings of(String bucket, URI endpoint, String region, String accessKeyId,
            String secretAccessKey, boolean pathStyle) {
        return new S3Settings(bucket, endpoint, region, accessKeyId, secretAccessKey, pathStyle, "",
                DEFAULT_PART_SIZE, DEFAULT_COPY_PART_SIZE);
    }

    public S3Settings withPrefix(String newPrefix) {
        return new S3Settings(bucket, endpoint, region, accessKeyId, secretAccessKey, pathStyle, newPrefix,
                partSizeBytes, copyPartSizeBytes);
    }

    public S3Settings withPartSizes(long newPartSizeBytes, long newCopyPartSizeBytes) {
        return new S3Settings(bucket, endpoint, region, accessKeyId, secretAccessKey, pathStyle, prefix,
                newPartSizeBytes, newCopyPartSizeBytes);
    }

    public S3Settings withCredentials(String newAccessKeyId, String newSecretAccessKey) {
        return new S3Settings(bucket, endpoint, region, newAccessKeyId, newSecretAccessKey, pathStyle, prefix,
                partSizeBytes, copyPartSizeBytes);
    }

    public S3Settings withEndpoint(URI newEndpoint) {
        return new S3Settings(bucket, newEndpoint, region, accessKeyId, secretAccessKey, pathStyle, prefix,
                partSizeBytes, copyPartSizeBytes);
    }

    /** True when no static keys are given: the SDK's default credential chain finds them. */
    public boolean usesDefaultCredentials() {
        return accessKeyId == null;
    }

    /** Everything but the secret: safe for logs and error messages. */
    @Override
    public String toString() {
        return "S3Settings[bucket=" + bucket + ", endpoint=" + (endpoint == null ? "aws" : endpoint)
                + ", region=" + region + ", accessKeyId=" + (accessKeyId == null ? "(default chain)" : accessKeyId) + ", secretAccessKey=****"
                + ", pathStyle=" + pathStyle + ", prefix='" + prefix + "', partSizeBytes=" + partSizeBytes
                + ", copyPartSizeBytes=" + copyPartSizeBytes + "]";
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }
}
