package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Uploads a database image several times larger than the heap, through the whole server (Javalin, the upload
 * pipeline, the S3 store over S3Proxy with files on disk) in one JVM with a capped heap, and downloads it back.
 * Run with {@code mvn -B -Plarge -pl backup-server -am verify -Dtest=LargeUploadTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; the {@code large} profile caps the test JVM at {@code -Xmx160m}.
 * {@code -Dcellar.large.mib=4096} changes the image size (default 1024 MiB). See docs/large-uploads.md.
 */
@Tag("large")
class LargeUploadTest {
    private static final int PAGE_SIZE = 65536;
    private static final long MIB = 1L << 20;
    private static final long IMAGE_BYTES = Long.getLong("cellar.large.mib", 1024) * MIB;
    private static final long SEED = 20261121;
    private static final Pattern JSON_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\"[^\"]*\"|[^,}]+)");
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    // a safety net for a hung server, not a performance bound: nothing here asserts on time
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);

    private static Path root;
    private static S3ProxyFixture s3;
    private static TestServer server;
    private static byte[] header;
    private static String expectedSha256;
    private static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void startServerAndComputeTheImagesDigest() throws Exception {
        root = Path.of("target", "large-upload").toAbsolutePath();
        deleteRecursively(root);
        Files.createDirectories(root);
        header = headerFor(IMAGE_BYTES, root.resolve("small.sqlite3"));
        // the generator is deterministic: hash one pass now, independently of any HTTP thread
        MessageDigest sha = Hex.sha256();
        try (InputStream image = new GeneratedImage(header, IMAGE_BYTES, SEED)) {
            image.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
        }
        expectedSha256 = Hex.of(sha.digest());
        s3 = S3ProxyFixture.startFilesystem(root.resolve("s3"));
        server = TestServer.startOn(s3, Map.of("BACKUP_MAX_SNAPSHOT_BYTES", String.valueOf(2 * IMAGE_BYTES)));
        figures.add(String.format("image %,d bytes (%d MiB), pages of %d bytes; max heap (-Xmx) %d MiB; %d cores",
                IMAGE_BYTES, IMAGE_BYTES / MIB, PAGE_SIZE, Runtime.getRuntime().maxMemory() / MIB,
                Runtime.getRuntime().availableProcessors()));
    }

    @AfterAll
    static void stopAndReport() throws IOException {
        if (server != null) {
            server.close();
        }
        if (s3 != null) {
            s3.close();
        }
        String report = String.join("\n", figures) + "\n";
        System.out.print("\n== large upload figures ==\n" + report);
        Files.writeString(Path.of("target", "large-upload-figures.txt"), report);
        deleteRecursively(root);
    }

    @Test
    void aRawImageSeveralTimesLargerThanTheHeapIsStoredStreamedAndComesBackIntact() throws Exception {
        assertHeapIsSmallerThanTheImage();
        String token = server.mintToken("large");

        GeneratedImage image = new GeneratedImage(header, IMAGE_BYTES, SEED);
        HeapSampler heap = HeapSampler.start();
        long started = System.nanoTime();
        HttpResponse<String> r = CLIENT.send(upload(token, "raw", "application/vnd.sqlite3")
                .POST(BodyPublishers.ofInputStream(() -> image)).build(), BodyHandlers.ofString());
        Phase phase = heap.stop(started, image.finishedAt);

        assertEquals(201, r.statusCode(), r.body());
        assertEquals(String.valueOf(IMAGE_BYTES), field(r.body(), "sizeBytes"));
        assertEquals(expectedSha256, field(r.body(), "sha256"));
        figures.add(phase.describe("upload application/vnd.sqlite3 (server compresses, zstd level 3)", IMAGE_BYTES)
                + String.format(", stored %,d bytes", Long.parseLong(field(r.body(), "storedBytes"))));

        downloadAndCheck("raw", token, r.headers().firstValue("Location").orElseThrow(),
                Long.parseLong(field(r.body(), "storedBytes")), null);
    }

    @Test
    void aZstdImageCompressedOnTheFlyIsStoredAsSentAndComesBackIntact() throws Exception {
        assertHeapIsSmallerThanTheImage();
        String token = server.mintToken("large");
        MessageDigest sentSha = Hex.sha256();
        GeneratedImage image = new GeneratedImage(header, IMAGE_BYTES, SEED);
        PipedInputStream body = new PipedInputStream(1 << 20);
        PipedOutputStream pipe = new PipedOutputStream(body);
        // the agent's side: image -> zstd (as the agent compresses) -> HTTP body, never whole in memory
        ExecutorService thread = Executors.newSingleThreadExecutor(daemon("compressor"));
        CompletableFuture<Long> compressor = CompletableFuture.supplyAsync(() -> {
            CountingOutputStream sent = new CountingOutputStream(new DigestOutputStream(pipe, sentSha));
            try (OutputStream zstd = Zstd.compress(sent, 3, Zstd.defaultWorkers())) {
                image.transferTo(zstd);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sent.count;
        }, thread);
        thread.shutdown();

        HeapSampler heap = HeapSampler.start();
        long started = System.nanoTime();
        HttpResponse<String> r = CLIENT.send(upload(token, "zstd", "application/zstd")
                .POST(BodyPublishers.ofInputStream(() -> body)).build(), BodyHandlers.ofString());
        Phase phase = heap.stop(started, image.finishedAt);

        assertEquals(201, r.statusCode(), r.body());
        long sentBytes = compressor.get();
        assertEquals(String.valueOf(IMAGE_BYTES), field(r.body(), "sizeBytes"));
        assertEquals(expectedSha256, field(r.body(), "sha256"));
        assertEquals(String.valueOf(sentBytes), field(r.body(), "storedBytes"));
        figures.add(phase.describe("upload application/zstd (compressed on the fly by the client, "
                + Zstd.defaultWorkers() + " worker(s))", IMAGE_BYTES) + String.format(", sent %,d bytes", sentBytes));

        downloadAndCheck("zstd", token, r.headers().firstValue("Location").orElseThrow(), sentBytes,
                Hex.of(sentSha.digest()));
    }

    /**
     * Downloads the stored (zstd) form as a stream, decompresses it while hashing, and checks the image's digest and
     * the stored form's length (and digest, when the client knows it).
     */
    private static void downloadAndCheck(String label, String token, String location, long storedBytes,
                                         String expectedStoredSha256) throws Exception {
        HeapSampler heap = HeapSampler.start();
        long started = System.nanoTime();
        HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(server.baseUri().resolve(location))
                .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token).GET().build(),
                BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("application/zstd", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(expectedSha256, r.headers().firstValue("X-Snapshot-Sha256").orElseThrow());
        assertEquals(String.valueOf(storedBytes), r.headers().firstValue("Content-Length").orElseThrow());
        MessageDigest storedSha = Hex.sha256();
        MessageDigest imageSha = Hex.sha256();
        CountingOutputStream image = new CountingOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(),
                imageSha));
        CountingInputStream stored;
        try (InputStream body = r.body();
             InputStream decompressed = Zstd.decompress(
                     stored = new CountingInputStream(new DigestInputStream(body, storedSha)))) {
            decompressed.transferTo(image);
        }
        Phase phase = heap.stop(started, 0);

        assertEquals(storedBytes, stored.count);
        assertEquals(IMAGE_BYTES, image.count);
        assertEquals(expectedSha256, Hex.of(imageSha.digest()));
        if (expectedStoredSha256 != null) {
            assertEquals(expectedStoredSha256, Hex.of(storedSha.digest()), "the stored form is the body as sent");
        }
        figures.add(phase.describe("download of the " + label + " upload's stored form, decompressed and hashed "
                + "by the client", IMAGE_BYTES));
    }

    /**
     * The point of the test: memory must not grow with the image. It only proves that when the image is several times
     * the heap, so an unbounded heap (the profile's -Xmx missing) fails here rather than passing for nothing.
     */
    private static void assertHeapIsSmallerThanTheImage() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max * 4 <= IMAGE_BYTES, "the heap (" + max / MIB + " MiB) must be at most a quarter of the image ("
                + IMAGE_BYTES / MIB + " MiB): run with the large profile, which sets -Xmx");
    }

    private static HttpRequest.Builder upload(String token, String database, String contentType) {
        return HttpRequest.newBuilder(server.baseUri().resolve(
                        "/api/v1/tenants/large/databases/" + database + "/snapshots"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .header("X-Machine-Id", "large-test");
    }

    /**
     * The 100-byte header of a real database made by SQLite with 64 KiB pages, with its page count patched so that
     * page count x page size = {@code imageBytes}; "version-valid-for" (92) is kept equal to the change counter (24)
     * so that the count is trusted.
     */
    private static byte[] headerFor(long imageBytes, Path small) throws Exception {
        assertEquals(0, imageBytes % PAGE_SIZE, "the image must be whole pages");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + small); Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size=" + PAGE_SIZE);
            s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
            s.execute("INSERT INTO items (name) VALUES ('large upload')");
        }
        byte[] h = Arrays.copyOf(Files.readAllBytes(small), 100);
        assertEquals("SQLite format 3\0", new String(h, 0, 16, StandardCharsets.US_ASCII));
        h[16] = 0;
        h[17] = 1; // 65536 is written as 1
        long pages = imageBytes / PAGE_SIZE;
        putU32(h, 28, pages);
        System.arraycopy(h, 24, h, 92, 4);
        return h;
    }

    private static void putU32(byte[] b, int at, long value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    private static String field(String json, String name) {
        Matcher m = JSON_FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                String v = m.group(2).trim();
                return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        throw new AssertionError("no field " + name + " in " + json);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A SQLite image of {@code length} bytes produced on the fly: the given header, then pseudo-random bytes from
     * a fixed seed. Same arguments, same bytes.
     */
    static final class GeneratedImage extends InputStream {
        private final byte[] header;
        private final long length;
        private final SplittableRandom random;
        private final byte[] block = new byte[PAGE_SIZE];
        private int blockPos = PAGE_SIZE;
        private long pos;
        /** System.nanoTime() when the last byte was read; 0 before. */
        volatile long finishedAt;

        GeneratedImage(byte[] header, long length, long seed) {
            this.header = header.clone();
            this.length = length;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= length) {
                if (finishedAt == 0) {
                    finishedAt = System.nanoTime();
                }
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (blockPos == PAGE_SIZE) {
                fill();
            }
            int n = (int) Math.min(Math.min(len, PAGE_SIZE - blockPos), length - pos);
            System.arraycopy(block, blockPos, b, off, n);
            blockPos += n;
            pos += n;
            return n;
        }

        private void fill() {
            for (int i = 0; i < PAGE_SIZE; i += 8) {
                long v = random.nextLong();
                for (int k = 0; k < 8; k++) {
                    block[i + k] = (byte) (v >>> (8 * k));
                }
            }
            if (pos == 0) {
                System.arraycopy(header, 0, block, 0, header.length);
            }
            blockPos = 0;
        }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * What one phase cost: wall time (and of it, the time after the last body byte left the client: the server's
     * commit), the most heap in use at any 50 ms sample, and garbage collections.
     */
    private record Phase(long nanos, long afterBodyNanos, long maxHeapUsed, long gcCount, long gcMillis) {
        String describe(String what, long bytes) {
            double seconds = nanos / 1e9;
            String commit = afterBodyNanos <= 0 ? ""
                    : String.format(" (body sent after %.1f s, answer %.1f s later)", (nanos - afterBodyNanos) / 1e9,
                    afterBodyNanos / 1e9);
            return String.format("%s: %,d bytes in %.1f s = %.0f MiB/s%s; max heap used %d MiB of %d MiB; "
                            + "%d GCs, %d ms in GC", what, bytes, seconds, bytes / MIB / seconds, commit,
                    maxHeapUsed / MIB, Runtime.getRuntime().maxMemory() / MIB, gcCount, gcMillis);
        }
    }

    /** Samples heap use every 50 ms on a background thread. */
    private static final class HeapSampler {
        private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("heap"));
        private final AtomicLong max = new AtomicLong();
        private final long gcCountBefore = gcCount();
        private final long gcMillisBefore = gcMillis();

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            s.timer.scheduleAtFixedRate(s::sample, 0, 50, TimeUnit.MILLISECONDS);
            return s;
        }

        private void sample() {
            max.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
        }

        /** @param bodySentNanos System.nanoTime() when the body's last byte was read, or 0 */
        Phase stop(long startedNanos, long bodySentNanos) throws InterruptedException {
            long now = System.nanoTime();
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            sample();
            return new Phase(now - startedNanos, bodySentNanos == 0 ? 0 : now - bodySentNanos, max.get(),
                    gcCount() - gcCountBefore, gcMillis() - gcMillisBefore);
        }

        private static long gcCount() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        }

        private static long gcMillis() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        }
    }
}
