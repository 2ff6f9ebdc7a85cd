package dev.cellar.server.storage.s3;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Server-side copy of a finished object to its final key: one CopyObject up to the copy part size, otherwise a
 * multipart copy (UploadPartCopy per range) that only becomes visible when it completes.
 */
final class S3Copy {
    private static final Logger log = LoggerFactory.getLogger(S3Copy.class);
    private static final int MAX_PARTS = 10_000;

    private final S3Client client;
    private final String bucket;
    private final long copyPartSize;

    S3Copy(S3Client client, String bucket, long copyPartSize) {
        this.client = client;
        this.bucket = bucket;
        this.copyPartSize = copyPartSize;
    }

    void copy(String source, String target, long size) {
        if (size <= copyPartSize) {
            client.copyObject(b -> b.sourceBucket(bucket).sourceKey(source)
                    .destinationBucket(bucket).destinationKey(target));
            return;
        }
        // small configured parts must still fit in S3's part limit
        long rangeSize = Math.max(copyPartSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(target)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long first = 0; first < size; first += rangeSize) {
                int partNumber = parts.size() + 1;
                String range = "bytes=" + first + "-" + (Math.min(size, first + rangeSize) - 1);
                String eTag = client.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(source)
                        .destinationBucket(bucket).destinationKey(target).uploadId(uploadId)
                        .partNumber(partNumber).copySourceRange(range)).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            client.completeMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            log.debug("s3 multipart copy key={} bytes={} parts={}", target, size, parts.size());
        } catch (RuntimeException e) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId));
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }
}
