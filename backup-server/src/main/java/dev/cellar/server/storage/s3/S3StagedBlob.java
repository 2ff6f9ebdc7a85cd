package dev.cellar.server.storage.s3;

import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Content on its way into the bucket. Bytes collect in one part-sized buffer; content that fits in it is written
 * with one PutObject at commit. Anything larger becomes a multipart upload whose parts are sent by the store's part
 * senders, up to {@link #PARTS_IN_FLIGHT} at a time, while the writer fills the next buffer; a part that failed
 * fails the next write or the commit, and the upload is then aborted once no part is on its way. When the key is only known at commit,
 * the upload goes to a staging key and is completed and copied to the real key then. When the key is known up
 * front ({@link S3BlobStore#stageAt}) the upload goes straight to it: S3 shows nothing under a key before its
 * multipart upload completes, so completing it at commit is the whole commit, with no copy.
 */
final class S3StagedBlob implements StagedBlob {
    private static final Logger log = LoggerFactory.getLogger(S3StagedBlob.class);
    private static final int MAX_PARTS = 10_000;
    /**
     * Parts sent at once per upload while the next one fills: the receiving thread keeps reading while earlier
     * parts travel, and an upload holds at most {@code PARTS_IN_FLIGHT + 1} part buffers.
     */
    static final int PARTS_IN_FLIGHT = 2;
    /** The first buffer's size; it doubles up to the part size, so a small object never takes a whole part. */
    private static final int FIRST_BUFFER = 256 * 1024;

    private final S3BlobStore store;
    private final S3Client client;
    private final String bucket;
    private final int partSize;
    private final Output output = new Output();
    /** Parts whose upload finished, in order. */
    private final List<CompletedPart> parts = new ArrayList<>();
    /** Parts on their way, oldest first; at most {@link #PARTS_IN_FLIGHT}. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /** A part buffer whose upload finished, kept for the next part instead of allocating one. */
    private byte[] spare;
    /** The full key given up front, or null when the content is staged and copied at commit. */
    private final String directKey;
    private byte[] buffer;
    private int buffered;
    private long size;
    private String uploadKey;
    private String uploadId;
    private boolean uploadedObjectExists;
    /** Whether a completion was sent: only then can a failed abort mean the object exists. */
    private boolean completeSent;
    private boolean done;

    S3StagedBlob(S3BlobStore store, String directKey) {
        this.store = store;
        this.directKey = directKey;
        this.client = store.client();
        this.bucket = store.settings().bucket();
        this.partSize = Math.toIntExact(store.settings().partSizeBytes());
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void commit(String key) {
        if (done) {
            throw new IllegalStateException("already committed or discarded");
        }
        boolean committed = false;
        try {
            String target = store.fullKey(key);
            if (directKey != null && !directKey.equals(target)) {
                throw new IllegalArgumentException("content staged for " + directKey + " cannot commit as " + target);
            }
            if (uploadId == null) {
                uploadKey = directKey;
                uploadedObjectExists = directKey != null; // a put whose answer is lost may have stored it
                store.putBytes(target, buffer, buffered);
            } else if (directKey != null) {
                sendRest();
                completeSent = true;
                client.completeMultipartUpload(b -> b.bucket(bucket).key(directKey).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            } else {
                sendRest();
                completeSent = true;
                client.completeMultipartUpload(b -> b.bucket(bucket).key(uploadKey).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
                uploadedObjectExists = true;
                new S3Copy(client, bucket, store.settings().copyPartSizeBytes()).copy(uploadKey, target, size);
                deleteUploadedObject();
            }
            committed = true;
            done = true;
            buffer = null;
            log.debug("s3 commit key={} bytes={} parts={}", key, size, parts.size());
        } catch (SdkException e) {
            throw store.failure("cannot store " + key, e);
        } finally {
            if (!committed) {
                close();
            }
        }
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        buffer = null;
        spare = null;
        awaitInFlight(); // a part still travelling could land after the abort and outlive it
        if (uploadId != null && !uploadedObjectExists) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(uploadKey).uploadId(uploadId));
            } catch (RuntimeException e) {
                // a bucket lifecycle rule for incomplete uploads removes what this leaves behind
                log.warn("s3 abort failed key={} upload={} error={}", uploadKey, uploadId, describe(e));
                // a completion whose answer was lost makes the abort fail: the object may be there
                uploadedObjectExists = completeSent;
            }
        }
        deleteUploadedObject();
    }

    /** Best effort: the object is already safe under its key, or it was never committed. */
    private void deleteUploadedObject() {
        if (!uploadedObjectExists) {
            return;
        }
        try {
            client.deleteObject(b -> b.bucket(bucket).key(uploadKey));
            uploadedObjectExists = false;
        } catch (RuntimeException e) {
            log.warn("s3 staging delete failed key={} error={}", uploadKey, describe(e));
        }
    }

    /** Sends what is buffered as the last part and waits for every part to arrive. */
    private void sendRest() {
        if (buffered > 0) {
            sendPart();
        }
        while (!inFlight.isEmpty()) {
            collect(inFlight.removeFirst());
        }
    }

    /**
     * Hands the full buffer to the part senders and takes an empty one, waiting first for the oldest part when
     * {@link #PARTS_IN_FLIGHT} are on their way. A part that failed is thrown here, by the next write or commit.
     */
    private void sendPart() {
        int partNumber = parts.size() + inFlight.size() + 1;
        if (partNumber > MAX_PARTS) {
            throw new StorageException("content exceeds " + MAX_PARTS + " parts of " + partSize
                    + " bytes; raise the part size");
        }
        while (!inFlight.isEmpty() && (inFlight.size() >= PARTS_IN_FLIGHT || inFlight.peekFirst().eTag().isDone())) {
            collect(inFlight.removeFirst());
        }
        if (uploadId == null) {
            String key = directKey != null ? directKey : store.newStagingKey();
            try {
                uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            } catch (SdkException e) {
                throw store.failure("cannot start an upload to " + key, e);
            }
            uploadKey = key;
        }
        byte[] part = buffer;
        int length = buffered;
        String id = uploadId;
        String key = uploadKey;
        // the provider opens a fresh stream over the buffer for every attempt: retries need no copy
        Future<String> eTag = store.partSenders().submit(() -> client.uploadPart(b -> b.bucket(bucket).key(key)
                .uploadId(id).partNumber(partNumber), RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(part, 0, length), length, S3BlobStore.OCTET_STREAM)).eTag());
        inFlight.addLast(new InFlight(partNumber, part, eTag));
        buffer = spare != null ? spare : new byte[partSize];
        spare = null;
        buffered = 0;
    }

    /** Waits for one part; its buffer becomes the spare. */
    private void collect(InFlight part) {
        try {
            String eTag = part.eTag().get();
            parts.add(CompletedPart.builder().partNumber(part.number()).eTag(eTag).build());
            spare = part.buffer();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw store.failure("cannot upload part " + part.number(), sdk);
            }
            throw new StorageException("cannot upload part " + part.number() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while part " + part.number() + " was uploading", e);
        }
    }

    private void awaitInFlight() {
        for (InFlight part : inFlight) {
            try {
                part.eTag().get();
            } catch (ExecutionException e) {
                // the upload is aborted next either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        inFlight.clear();
    }

    /** A part on its way: its number, its buffer (busy until it arrived) and its ETag to come. */
    private record InFlight(int number, byte[] buffer, Future<String> eTag) {
    }

    private static String describe(RuntimeException e) {
        return e instanceof SdkException s ? S3BlobStore.reason(s) : e.toString();
    }

    /** Fills the buffer and sends it as a part only when more bytes arrive, so a full last buffer is one put. */
    private final class Output extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (done) {
                throw new IllegalStateException("already committed or discarded");
            }
            while (len > 0) {
                if (buffer == null) {
                    buffer = new byte[Math.min(FIRST_BUFFER, partSize)];
                }
                if (buffered == buffer.length && buffer.length < partSize) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, partSize));
                } else if (buffered == buffer.length) {
                    sendPart();
                }
                int n = Math.min(len, buffer.length - buffered);
                System.arraycopy(b, off, buffer, buffered, n);
                buffered += n;
                off += n;
                len -= n;
                size += n;
            }
        }
    }
}
