package dev.cellar.server.storage.s3;

/** TEMPORARY STUB: replaced by the real file. */
public abstract class S3BlobStore implements dev.cellar.server.storage.BlobStore {
    public static S3BlobStore connect(S3Settings s) {
        throw new UnsupportedOperationException();
    }

    public abstract void checkBucket();
}
