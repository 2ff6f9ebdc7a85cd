package dev.cellar.server.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} promises, run against each implementation: a subclass supplies a fresh, empty
 * store per test. Large contents span several 5 MiB upload parts, so implementations that upload in parts should
 * use that part size here.
 */
public abstract class BlobStoreContract {
    protected static final int MIB = 1 << 20;
    /** Three parts of 5 MiB, the last one partial. */
    protected static final int LARGE = 12 * MIB + 12345;

    protected BlobStore store;

    /** A new store that holds no objects, isolated from those of other tests. */
    protected abstract BlobStore newStore();

    /** Fails if an upload left anything behind in the backing storage (temp files, parts, staging objects). */
    protected void assertNoUploadLeftovers() {
    }

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void putThenReadReturnsTheSameBytes() {
        store.put("a/b.json", bytes("{\"x\":1}"));
        assertEquals("{\"x\":1}", text(store.read("a/b.json")));
    }

    @Test
    void emptyObjectsRoundTrip() {
        store.put("empty", new byte[0]);
        assertArrayEquals(new byte[0], store.read("empty").orElseThrow());
        assertEquals(OptionalLong.of(0), store.size("empty"));
        assertArrayEquals(new byte[0], readAll(store.open("empty", 0, -1)));
    }

    @Test
    void missingKeysAreEmptyNotErrors() {
        assertEquals(Optional.empty(), store.read("no/such/key"));
        assertEquals(OptionalLong.empty(), store.size("no/such/key"));
        assertEquals(Optional.empty(), store.open("no/such/key", 0, -1));
        assertEquals(Optional.empty(), store.open("no/such/key", 3, 4));
    }

    @Test
    void sizeIsTheContentLength() {
        store.put("sized", new byte[1234]);
        assertEquals(OptionalLong.of(1234), store.size("sized"));
    }

    @Test
    void openReadsTheRequestedRange() {
        store.put("digits", bytes("0123456789"));
        assertEquals("3456", text(store.open("digits", 3, 4)));
        assertEquals("789", text(store.open("digits", 7, -1)));
        assertEquals("0123456789", text(store.open("digits", 0, -1)));
        assertEquals("", text(store.open("digits", 10, -1)));
        assertEquals("", text(store.open("digits", 2, 0)));
    }

    @Test
    void putReplacesAnExistingObject() {
        store.put("k", bytes("first and longer"));
        store.put("k", bytes("second"));
        assertEquals("second", text(store.read("k")));
        assertEquals(OptionalLong.of(6), store.size("k"));
    }

    @Test
    void putIfAbsentWritesOnlyTheFirstTime() {
        assertTrue(store.putIfAbsent("r/1/claim.json", bytes("first")));
        assertFalse(store.putIfAbsent("r/1/claim.json", bytes("second")));
        assertEquals("first", text(store.read("r/1/claim.json")));
        assertTrue(store.putIfAbsent("r/1/claim.json", bytes("first")), "a retry of the stored write succeeds");
        assertNoUploadLeftovers();
    }

    @Test
    void putIfAbsentRefusesAKeyThatPutWrote() {
        store.put("r/2/result.json", bytes("done"));
        assertFalse(store.putIfAbsent("r/2/result.json", bytes("other")));
        assertEquals("done", text(store.read("r/2/result.json")));
    }

    @Test
    void putIfAbsentLetsExactlyOneOfManyRacingWritersWin() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] mine = bytes("writer-" + i);
                results.add(pool.submit(() -> {
                    start.await();
                    return store.putIfAbsent("race/claim.json", mine);
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> r : results) {
                won += r.get() ? 1 : 0;
            }
            assertEquals(1, won);
            assertTrue(text(store.read("race/claim.json")).startsWith("writer-"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deleteRemovesTheObjectAndMissingKeysAreFine() {
        store.put("d/1", bytes("x"));
        store.delete("d/1");
        store.delete("d/1");
        store.delete("never/written");
        assertEquals(Optional.empty(), store.read("d/1"));
        assertTrue(store.list("d/", null, 10).entries().isEmpty());
    }

    @Test
    void invalidKeysAreRefused() {
        for (String key : new String[] {"", "/absolute", "a/../../escape"}) {
            assertThrows(IllegalArgumentException.class, () -> store.put(key, bytes("x")), key);
        }
    }

    @Test
    void stagedBlobIsInvisibleUntilCommitted() throws IOException {
        try (StagedBlob staged = store.stage()) {
            staged.output().write(bytes("hello "));
            staged.output().write(bytes("world"));
            assertEquals(11, staged.size());
            assertEquals(Optional.empty(), store.read("s/blob"));
            assertEquals(OptionalLong.empty(), store.size("s/blob"));
            assertTrue(store.list("s/", null, 10).entries().isEmpty());
            assertTrue(store.folders("").isEmpty());

            staged.commit("s/blob");
        }
        assertEquals("hello world", text(store.read("s/blob")));
        assertEquals(List.of(new BlobPage.Entry("s/blob", 11)), store.list("s/", null, 10).entries());
        assertNoUploadLeftovers();
    }

    @Test
    protected void stagedBlobIsInvisibleInTheRootListing() throws IOException {
        try (StagedBlob staged = store.stage()) {
            staged.output().write(new byte[100]);
            assertEquals(new BlobPage(List.of(), false), store.list("", null, 10));
        }
    }

    @Test
    void stagedBlobClosedWithoutCommitLeavesNothing() throws IOException {
        try (StagedBlob staged = store.stage()) {
            staged.output().write(bytes("abandoned"));
        }
        assertNothingStored();
    }

    @Test
    void largeStagedBlobClosedWithoutCommitLeavesNothing() throws IOException {
        try (StagedBlob staged = store.stage()) {
            staged.output().write(random(LARGE, 7));
        }
        assertNothingStored();
    }

    @Test
    void largeStagedBlobRoundTripsByteExact() throws IOException {
        byte[] content = random(LARGE, 42);
        try (StagedBlob staged = store.stage()) {
            writeInOddChunks(staged.output(), content);
            assertEquals(LARGE, staged.size());
            assertEquals(Optional.empty(), store.read("big/blob"));
            staged.commit("big/blob");
        }
        assertEquals(OptionalLong.of(LARGE), store.size("big/blob"));
        assertArrayEquals(content, store.read("big/blob").orElseThrow());
        int across = 5 * MIB - 3;
        assertArrayEquals(slice(content, across, 10), readAll(store.open("big/blob", across, 10)));
        assertArrayEquals(slice(content, 10 * MIB, LARGE - 10 * MIB), readAll(store.open("big/blob", 10 * MIB, -1)));
        assertEquals(List.of(new BlobPage.Entry("big/blob", LARGE)), store.list("", null, 10).entries());
        assertNoUploadLeftovers();
    }

    @Test
    void stagedBlobOfExactlyOnePartRoundTrips() throws IOException {
        byte[] content = random(5 * MIB, 5);
        try (StagedBlob staged = store.stage()) {
            staged.output().write(content);
            staged.commit("one-part");
        }
        assertArrayEquals(content, store.read("one-part").orElseThrow());
        assertNoUploadLeftovers();
    }

    @Test
    void committingReplacesAnExistingObject() throws IOException {
        store.put("r", bytes("old"));
        try (StagedBlob staged = store.stage()) {
            staged.output().write(bytes("new"));
            assertEquals("old", text(store.read("r")));
            staged.commit("r");
        }
        assertEquals("new", text(store.read("r")));
    }

    @Test
    void emptyStagedBlobCommitsAnEmptyObject() {
        try (StagedBlob staged = store.stage()) {
            staged.commit("nothing");
        }
        assertEquals(OptionalLong.of(0), store.size("nothing"));
    }

    @Test
    void stagedBlobCommitsOnceAndNotAfterClose() throws IOException {
        StagedBlob committed = store.stage();
        committed.output().write(bytes("once"));
        committed.commit("c/1");
        assertThrows(IllegalStateException.class, () -> committed.commit("c/2"));
        committed.close();
        assertEquals("once", text(store.read("c/1")));

        StagedBlob discarded = store.stage();
        discarded.close();
        assertThrows(IllegalStateException.class, () -> discarded.commit("c/3"));
        assertEquals(Optional.empty(), store.read("c/3"));
    }

    @Test
    void listIsInByteOrderAcrossSubFoldersWithSizes() {
        List<String> keys = List.of("x/b", "x/a0", "x/a/b", "x/a.b", "x/B", "x/a-b", "x/deep/er/key");
        for (int i = 0; i < keys.size(); i++) {
            store.put(keys.get(i), new byte[i]);
        }
        store.put("xy", bytes("sibling, not inside x/"));
        BlobPage page = store.list("x/", null, 100);
        assertEquals(List.of("x/B", "x/a-b", "x/a.b", "x/a/b", "x/a0", "x/b", "x/deep/er/key"), keysOf(page));
        for (BlobPage.Entry e : page.entries()) {
            assertEquals(keys.indexOf(e.key()), e.size(), e.key());
        }
        assertFalse(page.truncated());
    }

    @Test
    void listStartsAfterTheGivenKeyExclusively() {
        for (String k : List.of("f/1", "f/2", "f/3")) {
            store.put(k, bytes(k));
        }
        assertEquals(List.of("f/3"), keysOf(store.list("f/", "f/2", 10)));
        assertEquals(List.of("f/2", "f/3"), keysOf(store.list("f/", "f/15", 10)));
        assertEquals(List.of(), keysOf(store.list("f/", "f/3", 10)));
    }

    @Test
    void listPagesWithMaxAndTruncated() {
        for (String k : List.of("p/a", "p/b", "p/c", "p/d", "p/e")) {
            store.put(k, bytes(k));
        }
        BlobPage first = store.list("p/", null, 2);
        assertEquals(new BlobPage(List.of(new BlobPage.Entry("p/a", 3), new BlobPage.Entry("p/b", 3)), true), first);
        BlobPage second = store.list("p/", "p/b", 2);
        assertEquals(List.of("p/c", "p/d"), keysOf(second));
        assertTrue(second.truncated());
        BlobPage last = store.list("p/", "p/d", 2);
        assertEquals(List.of("p/e"), keysOf(last));
        assertFalse(last.truncated());
        assertFalse(store.list("p/", "p/c", 2).truncated(), "exactly max keys left is not truncated");
    }

    @Test
    void listAllFollowsEveryPage() {
        for (int i = 0; i < 1003; i++) {
            store.put(String.format("many/%04d", i), new byte[0]);
        }
        store.put("other/x", new byte[0]);
        List<BlobPage.Entry> all = store.listAll("many/");
        assertEquals(1003, all.size());
        assertEquals("many/0000", all.get(0).key());
        assertEquals("many/1002", all.get(1002).key());
    }

    @Test
    void listOfAMissingFolderIsEmpty() {
        store.put("here/k", bytes("k"));
        assertEquals(new BlobPage(List.of(), false), store.list("elsewhere/", null, 10));
    }

    @Test
    void foldersAreTheImmediateSubFoldersOnly() {
        for (String k : List.of("t/a/x", "t/a/y/z", "t/b/1", "t/c", "t/d-e/f", "u/1")) {
            store.put(k, bytes(k));
        }
        assertEquals(List.of("t/", "u/"), store.folders(""));
        assertEquals(List.of("t/a/", "t/b/", "t/d-e/"), store.folders("t/"));
        assertEquals(List.of("t/a/y/"), store.folders("t/a/"));
        assertEquals(List.of(), store.folders("t/b/"));
        assertEquals(List.of(), store.folders("missing/"));
    }

    @Test
    void keysComeBackExactlyAsWritten() {
        store.put("p/q/r", bytes("r"));
        assertEquals(List.of("p/q/r"), keysOf(store.list("", null, 10)));
        assertEquals(List.of("p/q/r"), keysOf(store.list("p/q/", null, 10)));
        assertEquals(List.of("p/"), store.folders(""));
        assertEquals(List.of("p/q/"), store.folders("p/"));
        assertEquals(List.of("p/q/r"), keysOf(store.list("", "p/", 10)));
    }

    @Test
    void stagedUploadsStartedBeforeTheCutoffAreDiscardedAndNothingElse() throws IOException {
        store.put("kept", bytes("committed"));
        StagedBlob small = store.stage();
        small.output().write(bytes("small"));
        StagedBlob large = store.stage();
        large.output().write(random(LARGE, 3)); // parts already uploaded where the store uploads in parts
        try {
            assertEquals(0, store.discardStagedBefore(Instant.now().minus(Duration.ofHours(1))));
            int discarded = store.discardStagedBefore(Instant.now().plus(Duration.ofMinutes(5)));

            assertTrue(discarded >= 1, "discarded " + discarded);
            assertNoUploadLeftovers();
            assertEquals(0, store.discardStagedBefore(Instant.now().plus(Duration.ofMinutes(5))));
            assertEquals("committed", text(store.read("kept")));
            assertEquals(List.of("kept"), keysOf(store.list("", null, 10)));
        } finally {
            small.close(); // never throws, even with its upload gone
            large.close();
        }
        assertNoUploadLeftovers();
    }

    private void assertNothingStored() {
        assertEquals(new BlobPage(List.of(), false), store.list("", null, 1000));
        assertEquals(List.of(), store.folders(""));
        assertNoUploadLeftovers();
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Single bytes and chunks that never line up with a part boundary. */
    private static void writeInOddChunks(OutputStream out, byte[] content) throws IOException {
        out.write(content[0]);
        int off = 1;
        while (off < content.length) {
            int n = Math.min(777_777, content.length - off);
            out.write(content, off, n);
            off += n;
        }
    }

    private static byte[] slice(byte[] b, int from, int length) {
        return java.util.Arrays.copyOfRange(b, from, from + length);
    }

    private static List<String> keysOf(BlobPage page) {
        return page.entries().stream().map(BlobPage.Entry::key).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(Optional<?> content) {
        Object o = content.orElseThrow();
        return new String(o instanceof InputStream in ? readAll(Optional.of(in)) : (byte[]) o, UTF_8);
    }

    private static byte[] readAll(Optional<InputStream> in) {
        try (InputStream s = in.orElseThrow()) {
            return s.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
