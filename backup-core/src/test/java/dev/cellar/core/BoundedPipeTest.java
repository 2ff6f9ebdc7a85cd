package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BoundedPipeTest {
    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void everyByteArrivesInOrderThroughChunksSmallerThanTheData() throws Exception {
        byte[] data = random(1_000_003);
        try (InputStream in = BoundedPipe.produce("test", 2, 1000, out -> {
            for (int i = 0; i < data.length; i += 777) {
                out.write(data, i, Math.min(777, data.length - i));
            }
        })) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void chunksTheReaderUsedUpAreFilledAgainInsteadOfAllocated() throws Exception {
        byte[] data = random(3_000_000);
        BoundedPipe pipe = new BoundedPipe(4, 1000);
        Thread writer = new Thread(() -> {
            try (OutputStream out = pipe.output()) {
                for (int i = 0; i < data.length; i += 333) {
                    out.write(data, i, Math.min(333, data.length - i));
                    if (i % 100_000 == 0) {
                        out.flush(); // a partial chunk travels as a copy; its chunk is filled again
                    }
                }
            } catch (IOException e) {
                pipe.failWriter(e); // the reader below throws it instead of waiting
            }
        });
        writer.start();
        try (InputStream in = pipe.input()) {
            assertArrayEquals(data, in.readAllBytes());
            assertEquals(-1, in.read(new byte[10]), "the end, again"); // a decoder looks past its last frame
        }
        writer.join();
        // 3,000 chunks of data: the queue's 4, the one being filled, the one being read
        assertTrue(pipe.chunksAllocated() <= 6, "allocated " + pipe.chunksAllocated() + " chunks");
    }

    @RepeatedTest(200) // the failure once raced a clean end: repeated, a regression shows
    void theProducersFailureIsTheReadersFailure() {
        IOException boom = new IOException("disk gone");
        InputStream in = BoundedPipe.produce("test", 2, 10, out -> {
            out.write(new byte[100]);
            throw boom;
        });
        assertSame(boom, assertThrows(IOException.class, in::readAllBytes));
    }

    @RepeatedTest(300) // the failure once raced the reader's close, which reached the writer first
    void theConsumersFailureReachesTheWriterAndFinish() {
        IllegalStateException refused = new IllegalStateException("not sqlite");
        BoundedPipe.Stage<Void> stage = BoundedPipe.consume("test", 2, 10, in -> {
            in.readNBytes(5);
            throw refused;
        });
        IllegalStateException seen = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                stage.output().write(new byte[10]);
            }
            stage.finish();
        });
        assertSame(refused, seen);
        stage.close();
    }

    @Test
    void closingTheReaderEarlyStopsAProducerBlockedOnAFullPipe() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        InputStream in = BoundedPipe.produce("test", 1, 10, out -> {
            try {
                while (true) {
                    out.write(new byte[10]);
                }
            } finally {
                stopped.countDown();
            }
        });
        in.read();
        in.close();
        assertTrue(stopped.await(30, TimeUnit.SECONDS), "the producer stopped");
    }

    @Test
    void abandoningAStageStopsItsConsumerWithAFailure() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        BoundedPipe.Stage<Void> stage = BoundedPipe.consume("test", 2, 10, in -> {
            try {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                failed.countDown();
            }
            return null;
        });
        stage.output().write(new byte[15]);
        stage.close();
        assertTrue(failed.await(30, TimeUnit.SECONDS), "the consumer saw the data end short");
    }
}
