package dev.cellar.server.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.StorageException;
import dev.cellar.server.testing.S3ProxyFixture;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** Which requests a commit makes, and that a failure at any step leaves neither a visible key nor leftovers. */
class S3StagedBlobTest {
    private static final int PART = (int) S3TestSupport.PART;
    private static final int LARGE = 12 * (1 << 20) + 12345;
    private static S3ProxyFixture s3;
    private static S3Client raw;

    private final RecordingInterceptor calls = new RecordingInterceptor();
    private S3Settings settings;
    private S3BlobStore store;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyFixture.start();
        raw = s3.newClient();
    }

    @AfterAll
    static void stopServer() {
        raw.close();
        s3.close();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private S3BlobStore store(long copyPartSize) {
        settings = S3TestSupport.settings(s3).withPartSizes(PART, copyPartSize);
        store = new S3BlobStore(settings, S3BlobStore.newClient(settings, o -> o.addExecutionInterceptor(calls)));
        return store;
    }

    private S3BlobStore store() {
        return store(S3Settings.DEFAULT_COPY_PART_SIZE);
    }

    @Test
    void contentThatFitsTheBufferIsOnePutStraightToTheKey() throws IOException {
        byte[] content = random(PART);
        commit(store(), "k", content);
        assertEquals(List.of("PutObject"), calls.operations());
        assertArrayEquals(content, store.read("k").orElseThrow());
    }

    @Test
    void largerContentGoesUpInPartsToStagingAndIsCopiedIntoPlace() throws IOException {
        byte[] content = random(LARGE);
        commit(store(), "k", content);
        assertEquals(List.of("CreateMultipartUpload", "UploadPart", "UploadPart", "UploadPart",
                "CompleteMultipartUpload", "CopyObject", "DeleteObject"), calls.operations());
        assertArrayEquals(content, store.read("k").orElseThrow());
        assertNoLeftovers();
    }

    @Test
    void contentLargerThanTheCopyPartSizeIsCopiedInRanges() throws IOException {
        byte[] content = random(LARGE);
        commit(store(PART), "k", content);
        List<String> ops = calls.operations();
        assertEquals(3, Collections.frequency(ops, "UploadPartCopy"), ops.toString());
        assertEquals(2, Collections.frequency(ops, "CompleteMultipartUpload"), ops.toString());
        assertEquals(0, Collections.frequency(ops, "CopyObject"), ops.toString());
        assertArrayEquals(content, store.read("k").orElseThrow());
        assertNoLeftovers();
    }

    @Test
    void failedCopyLeavesNothingVisibleAndNothingBehind() {
        store().put("k", new byte[] {1});
        calls.failWhen(r -> r instanceof CopyObjectRequest);
        assertThrows(StorageException.class, () -> commit(store, "k", random(LARGE)));
        assertArrayEquals(new byte[] {1}, store.read("k").orElseThrow(), "the old object stays");
        assertNoLeftovers();
    }

    @Test
    void failedRangeCopyAbortsTheCopyUpload() {
        store(PART);
        calls.failWhen(r -> r instanceof UploadPartCopyRequest p && p.partNumber() == 2);
        assertThrows(StorageException.class, () -> commit(store, "k", random(LARGE)));
        assertEquals(Optional.empty(), store.read("k"));
        assertNoLeftovers();
        assertTrue(calls.operations().contains("AbortMultipartUpload"), calls.operations().toString());
    }

    @Test
    void failedCompletionAbortsTheUpload() {
        store();
        calls.failWhen(r -> r instanceof CompleteMultipartUploadRequest);
        assertThrows(StorageException.class, () -> commit(store, "k", random(LARGE)));
        assertEquals(Optional.empty(), store.read("k"));
        assertNoLeftovers();
    }

    @Test
    void failedPartUploadIsAStorageErrorAndCloseCleansUp() throws IOException {
        store();
        calls.failWhen(r -> r instanceof UploadPartRequest p && p.partNumber() == 2);
        try (StagedBlob staged = store.stage()) {
            staged.output().write(random(PART));
            staged.output().write(1);
            // part 2 travels beside the writer: its failure reaches a later write or the commit
            assertThrows(StorageException.class, () -> {
                staged.output().write(random(PART));
                staged.commit("k");
            });
        }
        assertEquals(List.of(), store.list("", null, 10).entries());
        assertNoLeftovers();
    }

    @Test
    void partsTravelBesideTheWriterAndArriveInOrder() throws IOException {
        byte[] content = random(5 * PART + 777);
        store();
        try (StagedBlob staged = store.stageAt("k")) {
            for (int at = 0; at < content.length; at += 4096) {
                staged.output().write(content, at, Math.min(4096, content.length - at)); // as the request thread does
            }
            staged.commit("k");
        }
        assertEquals(6, Collections.frequency(calls.operations(), "UploadPart"), calls.operations().toString());
        assertArrayEquals(content, store.read("k").orElseThrow());
        assertNoLeftovers();
    }

    @Test
    void aFailedPartOfADirectUploadFailsTheCommitAbortsTheUploadAndLeavesTheKeyEmpty() throws IOException {
        store();
        calls.failWhen(r -> r instanceof UploadPartRequest p && p.partNumber() == 3);
        try (StagedBlob staged = store.stageAt("tenants/t/k")) {
            // thrown by whichever comes first after the failure: a later write or the commit
            assertThrows(StorageException.class, () -> {
                staged.output().write(random(4 * PART + 1));
                staged.commit("tenants/t/k");
            });
        }
        assertEquals(Optional.empty(), store.read("tenants/t/k"));
        assertEquals(List.of(), store.list("", null, 10).entries());
        assertTrue(calls.operations().contains("AbortMultipartUpload"), calls.operations().toString());
        assertTrue(!calls.operations().contains("CompleteMultipartUpload"), calls.operations().toString());
        assertNoLeftovers();
    }

    @Test
    void anUploadHoldsAtMostItsPartsInFlightPlusTheOneFilling() throws IOException {
        // every part is held at the S3 side until the test lets it go: the writer must stop after PARTS_IN_FLIGHT
        java.util.concurrent.Semaphore gate = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger();
        store();
        calls.failWhen(r -> {
            if (r instanceof UploadPartRequest) {
                entered.incrementAndGet();
                gate.acquireUninterruptibly();
            }
            return false;
        });
        byte[] content = random(6 * PART + 1);
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        Thread writer = new Thread(() -> {
            try (StagedBlob staged = store.stageAt("k")) {
                for (int at = 0; at < content.length; at += PART) {
                    int n = Math.min(PART, content.length - at);
                    staged.output().write(content, at, n);
                    written.addAndGet(n);
                }
                staged.commit("k");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60); // a hang, not a speed
        while ((entered.get() < S3StagedBlob.PARTS_IN_FLIGHT || writer.getState() != Thread.State.WAITING)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        // two parts travelling, one buffer full: the writer waits for the oldest part instead of taking more memory
        assertEquals(S3StagedBlob.PARTS_IN_FLIGHT, entered.get());
        assertEquals((S3StagedBlob.PARTS_IN_FLIGHT + 1) * PART, written.get());
        gate.release(1_000);
        try {
            writer.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(content, store.read("k").orElseThrow());
    }

    @Test
    void failedStagingCleanupStillCommits() throws IOException {
        byte[] content = random(LARGE);
        store();
        calls.failWhen(r -> r instanceof DeleteObjectRequest);
        commit(store, "k", content);
        assertArrayEquals(content, store.read("k").orElseThrow());
    }

    @Test
    void invalidKeyAtCommitDiscardsTheUpload() throws IOException {
        try (StagedBlob staged = store().stage()) {
            staged.output().write(random(LARGE));
            assertThrows(IllegalArgumentException.class, () -> staged.commit("/absolute"));
        }
        assertNoLeftovers();
    }

    private static void commit(S3BlobStore store, String key, byte[] content) throws IOException {
        try (StagedBlob staged = store.stage()) {
            staged.output().write(content);
            staged.commit(key);
        }
    }

    private void assertNoLeftovers() {
        S3TestSupport.assertNoUploadLeftovers(raw, s3.bucket(), settings.prefix());
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
