package dev.cellar.server.storage.s3;

import java.time.Instant;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Removes what abandoned uploads left behind: multipart uploads never completed anywhere under the prefix (staged
 * ones, and direct ones to a snapshot's own key) and staging objects whose copy into place never finished, when
 * they started before a cutoff. Page by page; an upload another
 * instance aborted meanwhile is simply not counted.
 */
final class S3StagingCleanup {
    private final S3BlobStore store;
    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final String stagingPrefix;

    S3StagingCleanup(S3BlobStore store) {
        this.store = store;
        this.client = store.client();
        this.bucket = store.settings().bucket();
        this.prefix = store.settings().prefix();
        this.stagingPrefix = prefix + S3BlobStore.STAGING;
    }

    int discardBefore(Instant cutoff) {
        try {
            return abortUploads(cutoff) + deleteObjects(cutoff);
        } catch (SdkException e) {
            throw store.failure("cannot clean " + S3BlobStore.STAGING, e);
        }
    }

    private int abortUploads(Instant cutoff) {
        int aborted = 0;
        String keyMarker = null;
        String uploadMarker = null;
        ListMultipartUploadsResponse page;
        do {
            String km = keyMarker;
            String um = uploadMarker;
            page = client.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix).keyMarker(km)
                    .uploadIdMarker(um));
            for (MultipartUpload u : page.uploads()) {
                if (u.initiated() != null && u.initiated().isBefore(cutoff) && abort(u)) {
                    aborted++;
                }
            }
            keyMarker = page.nextKeyMarker();
            uploadMarker = page.nextUploadIdMarker();
        } while (Boolean.TRUE.equals(page.isTruncated()) && keyMarker != null);
        return aborted;
    }

    /** False when the upload was already gone: another instance aborted or completed it. */
    private boolean abort(MultipartUpload u) {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
            return true;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private int deleteObjects(Instant cutoff) {
        int deleted = 0;
        String after = null;
        ListObjectsV2Response page;
        do {
            String a = after;
            page = client.listObjectsV2(b -> b.bucket(bucket).prefix(stagingPrefix).startAfter(a));
            for (S3Object o : page.contents()) {
                after = o.key();
                if (o.lastModified() != null && o.lastModified().isBefore(cutoff)) {
                    client.deleteObject(b -> b.bucket(bucket).key(o.key()));
                    deleted++;
                }
            }
        } while (Boolean.TRUE.equals(page.isTruncated()) && after != null);
        return deleted;
    }
}
