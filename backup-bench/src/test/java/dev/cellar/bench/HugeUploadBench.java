package dev.cellar.bench;

import dev.cellar.server.snapshot.GeneratedSqliteImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Section 6, the server: resident memory of the server process ({@code -Xmx256m}, over S3) while one upload of
 * several GiB streams through it. The image is generated on the fly (a valid header, then pseudo-random pages),
 * so neither the harness nor the disk holds it first.
 */
final class HugeUploadBench {
    private final Rig rig;

    HugeUploadBench(Rig rig) {
        this.rig = rig;
    }

    void run() throws Exception {
        int gib = rig.config().hugeGiB();
        if (gib <= 0) {
            return;
        }
        long bytes = (long) gib << 30;
        byte[] header = GeneratedSqliteImage.headerFor(bytes, rig.dir().resolve("huge-header.sqlite3"));
        // a server of its own: what the other sections left in the shared one's heap is not this upload's
        try (CellarServer server = CellarServer.start(rig.config().serverJar(), rig.dir(), "server-huge",
                rig.s3().serverEnv())) {
            measure(server, gib, bytes, header);
        }
    }

    private void measure(CellarServer server, int gib, long bytes, byte[] header) throws Exception {
        String token = server.mintToken("huge");
        server.memory.resetPeaks();
        long before = server.memory.lastRssMib();
        List<Long> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();
        every.scheduleAtFixedRate(() -> timeline.add(server.memory.lastRssMib()), 1, 1, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        HttpResponse<String> r;
        try {
            r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(server.snapshotsUrl("huge", "huge")))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.sqlite3")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedSqliteImage(header, bytes, 5)))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            every.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.statusCode() != 201) {
            throw new IllegalStateException("the " + gib + " GiB upload answered " + r.statusCode() + ": " + r.body());
        }
        long peak = server.memory.peakRssMib();
        List<Long> samples;
        synchronized (timeline) {
            samples = List.copyOf(timeline);
        }
        Report report = rig.report();
        report.heading("Server resident memory during one " + gib + " GiB upload (-Xmx256m, over S3)");
        report.tableHeader();
        report.absolute("server peak RSS (before: " + before + " MiB)", peak + " MiB", peak, "< 300 MiB, flat",
                peak < 300);
        report.info("upload time, rate", String.format(Locale.ROOT, "%.1f s, %.0f MiB/s", seconds,
                (bytes >> 20) / seconds), "");
        report.line("\nRSS once a second (MiB): " + thin(samples));
    }

    /** At most 40 samples, evenly spaced, so the line stays readable. */
    private static String thin(List<Long> samples) {
        List<Long> out = new ArrayList<>();
        int step = Math.max(1, samples.size() / 40);
        for (int i = 0; i < samples.size(); i += step) {
            out.add(samples.get(i));
        }
        return out.toString();
    }
}
