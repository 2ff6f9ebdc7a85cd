package dev.cellar.server.storage.s3;

import java.net.URI;

/** TEMPORARY STUB: replaced by the real file. */
public record S3Settings(String bucket, URI endpoint, String region, String accessKeyId, String secretAccessKey,
                         boolean pathStyle, String prefix, long partSizeBytes, long copyPartSizeBytes) {
}
