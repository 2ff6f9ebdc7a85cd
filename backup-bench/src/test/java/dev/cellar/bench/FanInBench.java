package dev.cellar.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Section 5: fan-in. N uploaders at once, each a tenant of its own with a 1 MiB database, send the agent's body
 * (zstd, digest declared) to the server; the same N send the same body as plain signed PUTs to the bucket. Every
 * uploader is a curl process that retries a 503 after its Retry-After, as the agent does. Snapshots per second
 * over the whole wave and p99 of one upload, alternating server and bucket, and the CPU time the server and the
 * bucket (S3Proxy) spent per upload: on a host whose cores they share, that is what bounds the rate.
 */
final class FanInBench {
    private final Rig rig;
    private final CellarServer server;
    private final String tag;
    private final String serverSettings;

    /** Against {@code server}, started with {@code serverSettings} (named in the report); tenants named by tag. */
    FanInBench(Rig rig, CellarServer server, String tag, String serverSettings) {
        this.rig = rig;
        this.server = server;
        this.tag = tag;
        this.serverSettings = serverSettings;
    }

    /** One level's figures, for the table and the chart. */
    record Level(int n, Stats cellarRate, Stats directRate, Stats cellarP99, Stats directP99, int cellarRetried,
                 Stats serverCpuMs, Stats bucketCpuMs, Stats directBucketCpuMs) {
    }

    List<Level> run() throws Exception {
        if (!Proc.onPath("curl")) {
            rig.report().line("_fan-in: needs curl, missing on this machine; skipped._");
            return List.of();
        }
        Path db = RailsDatabase.create(rig.dir().resolve("fanin-1MiB.sqlite3"), 1L << 20);
        IngestBench.Body body = IngestBench.Body.of(db, rig.dir().resolve("fanin-" + tag + ".zst"));
        int max = rig.config().fanIn().stream().mapToInt(Integer::intValue).max().orElse(1);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            tokens.add(server.mintToken("fanin" + tag + "-" + i));
        }
        List<Level> levels = new ArrayList<>();
        for (int n : rig.config().fanIn()) {
            List<Double> cRate = new ArrayList<>();
            List<Double> dRate = new ArrayList<>();
            List<Double> cP99 = new ArrayList<>();
            List<Double> dP99 = new ArrayList<>();
            AtomicInteger retried = new AtomicInteger();
            List<Double> serverCpu = new ArrayList<>();
            List<Double> bucketCpu = new ArrayList<>();
            List<Double> directBucketCpu = new ArrayList<>();
            for (int run = 0; run < rig.config().runs(); run++) {
                String round = "n" + n + "r" + run;
                Wave cellar = wave(n, "cellar-" + round, i -> List.of("curl", "--no-progress-meter", "-f", "-o", "/dev/null", "--retry", "30",
                        "-X", "POST", "-H", "Authorization: Bearer " + tokens.get(i), "-H",
                        "Content-Type: application/zstd", "-H", "X-Snapshot-Sha256: " + body.imageSha256(),
                        "-T", body.file().toString(), server.snapshotsUrl("fanin" + tag + "-" + i, round)));
                Wave direct = wave(n, "direct-" + round, i -> {
                    List<String> c = new ArrayList<>(rig.s3().curl("fanin/" + tag + round + "/" + i));
                    c.addAll(List.of("-o", "/dev/null", "-T", body.file().toString()));
                    return c;
                });
                cRate.add(n / cellar.seconds);
                dRate.add(n / direct.seconds);
                cP99.add(Stats.of(cellar.latencies).percentile(99));
                dP99.add(Stats.of(direct.latencies).percentile(99));
                retried.addAndGet(cellar.retries);
                serverCpu.add(cellar.serverCpuSeconds * 1000 / n);
                bucketCpu.add(cellar.bucketCpuSeconds * 1000 / n);
                directBucketCpu.add(direct.bucketCpuSeconds * 1000 / n);
            }
            levels.add(new Level(n, Stats.of(cRate), Stats.of(dRate), Stats.of(cP99), Stats.of(dP99), retried.get(),
                    Stats.of(serverCpu), Stats.of(bucketCpu), Stats.of(directBucketCpu)));
        }
        report(levels);
        return levels;
    }

    private void report(List<Level> levels) {
        Report r = rig.report();
        r.heading("Fan-in: concurrent uploaders of 1 MiB databases, server " + serverSettings
                + " (median (min–max) of " + rig.config().runs() + ")");
        r.line("| uploaders | server: snapshots/s | bucket PUTs/s | time ratio | server p99 s | bucket p99 s "
                + "| 503 busy, retried | CPU ms per upload: server + bucket, vs bucket for a PUT | target |\n"
                + "|---|---|---|---|---|---|---|---|---|");
        for (Level l : levels) {
            double ratio = l.directRate().median() / l.cellarRate().median();
            boolean judged = l.n() == levels.get(levels.size() - 1).n();
            r.line(String.format(Locale.ROOT, "| %d | %s | %s | %.2f× | %s | %s | %d | %.1f + %.1f vs %.1f | %s |",
                    l.n(), l.cellarRate().describe(), l.directRate().describe(), ratio, l.cellarP99().describe(),
                    l.directP99().describe(), l.cellarRetried(), l.serverCpuMs().median(), l.bucketCpuMs().median(),
                    l.directBucketCpuMs().median(), judged ? "≤ 1.30×: " + Report.verdict(ratio <= 1.3) : ""));
        }
    }

    private record Wave(double seconds, List<Double> latencies, int retries, double serverCpuSeconds,
                        double bucketCpuSeconds) {
    }

    interface Command {
        List<String> of(int uploader);
    }

    /** Starts n uploads at once and waits for all; any failure (after curl's retries) stops the harness. */
    private Wave wave(int n, String name, Command command) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        Path log = rig.dir().resolve("fanin").resolve(tag + "-" + name + ".log");
        double server0 = server.cpuSeconds();
        double bucket0 = rig.s3().cpuSeconds();
        long t0 = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int uploader = i;
                all.add(pool.submit(() -> {
                    latencies.add(Proc.run(command.of(uploader), Map.of(), log));
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double serverCpu = server.cpuSeconds() - server0;
        double bucketCpu = rig.s3().cpuSeconds() - bucket0;
        // curl reports each retry of a 503 busy (after its Retry-After) on stderr
        int retries = java.nio.file.Files.exists(log)
                ? (int) java.nio.file.Files.readAllLines(log).stream().filter(x -> x.contains("Will retry")).count() : 0;
        return new Wave(seconds, new ArrayList<>(latencies), retries, serverCpu, bucketCpu);
    }
}
