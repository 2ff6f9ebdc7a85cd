package dev.cellar.server.snapshot;

import static dev.cellar.server.snapshot.LargeUploadTest.MIB;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Samples heap use every 50 ms on a background thread. */
final class HeapSampler {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(LargeUploadTest.daemon("heap"));
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

    /**
     * What one phase cost: wall time (and of it, the time after the last body byte left the client: the server's
     * commit), the most heap in use at any 50 ms sample, and garbage collections.
     */
    record Phase(long nanos, long afterBodyNanos, long maxHeapUsed, long gcCount, long gcMillis) {
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
}
