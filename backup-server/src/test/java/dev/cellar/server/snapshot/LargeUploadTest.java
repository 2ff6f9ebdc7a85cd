package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import dev.cellar.server.snapshot.CountingStreams.CountingInputStream;
import dev.cellar.server.snapshot.CountingStreams.CountingOutputStream;
import dev.cellar.server.snapshot.HeapSampler.Phase;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
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
    static final long MIB = 1L << 20;
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
        header = GeneratedSqliteImage.headerFor(IMAGE_BYTES, root.resolve("small.sqlite3"));
        // the generator is deterministic: hash one pass now, independently of any HTTP thread
        MessageDigest sha = Hex.sha256();
        try (InputStream image = new GeneratedSqliteImage(header, IMAGE_BYTES, SEED)) {
            image.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
        }
        expectedSha256 = Hex.of(sha.digest());
        s3 = S3ProxyFixture.startFilesystem(root.resolve("s3"));
        server = TestServer.startOn(s3, Map.of("BACKUP_MAX_SNAPSHOT_BYTES", String.valueOf(2 * IMAGE_BYTES)));
        figures.add(String.format("image %,d bytes (%d MiB), pages of %d bytes; max heap (-Xmx) %d MiB; %d cores",
                IMAGE_BYTES, IMAGE_BYTES / MIB, GeneratedSqliteImage.PAGE_SIZE, Runtime.getRuntime().maxMemory() / MIB,
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

        GeneratedSqliteImage image = new GeneratedSqliteImage(header, IMAGE_BYTES, SEED);
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
        GeneratedSqliteImage image = new GeneratedSqliteImage(header, IMAGE_BYTES, SEED);
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
            return sent.count();
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

        assertEquals(storedBytes, stored.count());
        assertEquals(IMAGE_BYTES, image.count());
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

    static ThreadFactory daemon(String name) {
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
}
