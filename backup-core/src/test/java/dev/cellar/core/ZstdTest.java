package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZstdTest {
    private static final int MIB = 1 << 20;

    @Test
    void randomBytesComeBackUnchanged() throws IOException {
        byte[] data = random(3 * MIB + 17, 1);

        assertArrayEquals(data, decompress(compress(data, 3, 0)));
    }

    @Test
    void compressibleBytesComeBackUnchangedAndSmaller() throws IOException {
        byte[] data = compressible(4 * MIB);

        byte[] compressed = compress(data, 3, 0);

        assertTrue(compressed.length < data.length / 2, "compressed to " + compressed.length);
        assertArrayEquals(data, decompress(compressed));
    }

    @Test
    void emptyInputMakesAFrameThatDecodesToNothing() throws IOException {
        byte[] compressed = compress(new byte[0], 3, 0);

        assertTrue(compressed.length > 0);
        assertEquals(0, decompress(compressed).length);
    }

    @Test
    void concatenatedFramesDecodeToTheConcatenatedInputs() throws IOException {
        byte[] first = compressible(MIB);
        byte[] second = random(MIB / 2, 2);
        byte[] third = "the end".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.write(compress(first, 3, 0));
        frames.write(compress(second, 19, 0));
        frames.write(compress(third, 1, 0));

        byte[] decoded = decompress(frames.toByteArray());

        assertArrayEquals(concat(first, second, third), decoded);
    }

    @Test
    void outputOfSeveralWorkersDecodes() throws IOException {
        // several MiB so that zstd really splits the input into jobs for the workers
        byte[] data = concat(compressible(16 * MIB), random(4 * MIB, 3), compressible(8 * MIB));

        byte[] compressed = compress(data, 3, 2);

        assertArrayEquals(data, decompress(compressed));
    }

    @Test
    void framesCarryAChecksumAndACorruptedOneIsRefused() throws IOException {
        byte[] data = compressible(MIB);
        byte[] compressed = compress(data, 3, 0);
        // frame header descriptor (after the 4-byte magic), bit 2: Content_Checksum_flag
        assertEquals(0x04, compressed[4] & 0x04);

        // the last 4 bytes of the frame are its checksum; the blocks before them still decode
        compressed[compressed.length - 1] ^= 0x01;

        IOException e = assertThrows(IOException.class, () -> decompress(compressed));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("checksum"), e.getMessage());
    }

    @Test
    void bytesThatAreNotZstdAreRefused() {
        byte[] text = "SQLite format 3\0 is not a zstd frame".getBytes(StandardCharsets.US_ASCII);

        assertThrows(IOException.class, () -> decompress(text));
    }

    @Test
    void aFrameDeclaringAWindowOfTheMaximumDecodes() throws IOException {
        byte[] frame = frameWithWindowLog(Zstd.MAX_WINDOW_LOG, "hello".getBytes(StandardCharsets.US_ASCII));

        assertEquals(Zstd.MAX_WINDOW_LOG, declaredWindowLog(frame));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), decompress(frame));
    }

    /**
     * The smallest frame that triggers the bound: the decoder refuses on the window its header declares, before it
     * allocates anything, so five bytes of content in a frame declaring 2^27 are enough.
     */
    @Test
    void aFrameDeclaringAWindowBeyondTheMaximumIsRefused() throws IOException {
        byte[] frame = frameWithWindowLog(Zstd.MAX_WINDOW_LOG + 2, "hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals(27, declaredWindowLog(frame));

        IOException e = assertThrows(IOException.class, () -> decompress(frame));

        assertEquals("Frame requires too much memory for decoding", e.getMessage());
    }

    /**
     * A frame that really needs its large window: 40 MiB of random bytes written twice, compressed with long-distance
     * matching over a 2^27 window, refers back 40 MiB, beyond the 32 MiB a decoder of ours keeps. 80 MiB instead of
     * the 200 MiB a real large database would need keeps this test to a second or two; what matters is that the
     * distance of the repeats exceeds 2^MAX_WINDOW_LOG.
     */
    @Test
    void aFrameWhoseMatchesReachBeyondTheMaximumWindowIsRefused(@TempDir Path dir) throws Exception {
        int block = 40 * MIB;
        assertTrue(block > 1 << Zstd.MAX_WINDOW_LOG);
        // on disk, not in an array: the suite also runs in a small heap (mvn -Plarge)
        Path frame = dir.resolve("long-distance.zst");
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(frame));
             ZstdOutputStream z = new ZstdOutputStream(file, 1)) {
            z.setWindowLog(27);
            z.setLong(27);
            byte[] chunk = new byte[MIB];
            for (int repeat = 0; repeat < 2; repeat++) {
                Random random = new Random(99);
                for (int i = 0; i < block / MIB; i++) {
                    random.nextBytes(chunk);
                    z.write(chunk);
                    written.update(chunk);
                }
            }
        }
        // random bytes do not compress: only matches 40 MiB back can have halved the size
        assertTrue(Files.size(frame) < block + block / 10, "compressed to " + Files.size(frame));
        // a decoder allowed the larger window reads the frame back, so it is sound
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (ZstdInputStream wide = new ZstdInputStream(new BufferedInputStream(Files.newInputStream(frame)))) {
            wide.setLongMax(27);
            byte[] buffer = new byte[MIB];
            for (int n; (n = wide.read(buffer)) != -1; ) {
                read.update(buffer, 0, n);
            }
        }
        assertArrayEquals(written.digest(), read.digest());

        try (InputStream ours = Zstd.decompress(Files.newInputStream(frame))) {
            IOException e = assertThrows(IOException.class, () -> ours.read(new byte[MIB]));
            assertEquals("Frame requires too much memory for decoding", e.getMessage());
        }
    }

    private static byte[] frameWithWindowLog(int windowLog, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // streamed without a pledged size, the frame keeps the window it was given however little it holds
        try (ZstdOutputStream z = new ZstdOutputStream(out)) {
            z.setWindowLog(windowLog);
            z.setLong(windowLog);
            z.write(content);
        }
        return out.toByteArray();
    }

    /** The window log a frame header declares (RFC 8878 section 3.1.1.1.2), for frames with a window descriptor. */
    private static int declaredWindowLog(byte[] frame) {
        int descriptor = frame[4] & 0xff;
        assertEquals(0, descriptor & 0x20, "single-segment frames have no window descriptor");
        return 10 + ((frame[5] & 0xff) >>> 3);
    }

    private static byte[] compress(byte[] data, int level, int workers) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Zstd.compress(out, level, workers)) {
            // in uneven pieces, as a stream would deliver them
            for (int at = 0; at < data.length; at += 100_000) {
                z.write(data, at, Math.min(100_000, data.length - at));
            }
        }
        return out.toByteArray();
    }

    private static byte[] decompress(byte[] compressed) throws IOException {
        try (InputStream in = Zstd.decompress(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Text-like rows, as a SQLite page of a typical table looks. */
    private static byte[] compressible(int size) {
        StringBuilder b = new StringBuilder(size + 100);
        Random random = new Random(size);
        for (int row = 0; b.length() < size; row++) {
            b.append(row).append("|customer-").append(random.nextInt(1000)).append("|2026-01-")
                    .append(1 + random.nextInt(28)).append("|paid|").append(random.nextInt(100_000)).append('\n');
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
