package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
