package dev.cellar.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a process's resident memory and thread count from {@code /proc/<pid>/status} every {@code periodMillis}
 * and keeps the peaks and the last value. Used by the load run and the benchmark harness on server and agent
 * processes; where /proc is missing every figure stays 0.
 */
public final class ProcessSampler implements AutoCloseable {
    private final long pid;
    private final ScheduledExecutorService timer;
    private final AtomicLong peakRssKib = new AtomicLong();
    private final AtomicLong lastRssKib = new AtomicLong();
    private final AtomicLong peakThreads = new AtomicLong();

    private ProcessSampler(long pid, long periodMillis) {
        this.pid = pid;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "process-sampler-" + pid);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    public static ProcessSampler start(long pid, long periodMillis) {
        return new ProcessSampler(pid, periodMillis);
    }

    /** Resets the peaks to the current values: for a phase that starts after an earlier one. */
    public void resetPeaks() {
        sample();
        peakRssKib.set(lastRssKib.get());
    }

    public void sample() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D", ""));
                    lastRssKib.set(kib);
                    peakRssKib.accumulateAndGet(kib, Math::max);
                } else if (line.startsWith("Threads:")) {
                    peakThreads.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or /proc is not there: the figures keep what was seen
        }
    }

    public long peakRssMib() {
        return peakRssKib.get() / 1024;
    }

    public long lastRssMib() {
        return lastRssKib.get() / 1024;
    }

    public long peakThreads() {
        return peakThreads.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
