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
 * over the whole wave and p99 of one upload, alternating server and bucket.
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
    record Level(int n, Stats cellarRate, Stats directRate, Stats cellarP99, Stats directP99, int cellarRetried) {
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
            }
            levels.add(new Level(n, Stats.of(cRate), Stats.of(dRate), Stats.of(cP99), Stats.of(dP99), retried.get()));
        }
        report(levels);
        return levels;
    }

    private void report(List<Level> levels) {
        Report r = rig.report();
        r.heading("Fan-in: concurrent uploaders of 1 MiB databases, server " + serverSettings
                + " (median (min–max) of " + rig.config().runs() + ")");
        r.line("| uploaders | server: snapshots/s | bucket PUTs/s | time ratio | server p99 s | bucket p99 s "
                + "| 503 busy, retried | target |\n|---|---|---|---|---|---|---|---|");
        for (Level l : levels) {
            double ratio = l.directRate().median() / l.cellarRate().median();
            boolean judged = l.n() == levels.get(levels.size() - 1).n();
            r.line(String.format(Locale.ROOT, "| %d | %s | %s | %.2f× | %s | %s | %d | %s |", l.n(),
                    l.cellarRate().describe(), l.directRate().describe(), ratio, l.cellarP99().describe(),
                    l.directP99().describe(), l.cellarRetried(), judged ? "≤ 1.30×: " + Report.verdict(ratio <= 1.3) : ""));
        }
    }

    private record Wave(double seconds, List<Double> latencies, int retries) {
    }

    interface Command {
        List<String> of(int uploader);
    }

    /** Starts n uploads at once and waits for all; any failure (after curl's retries) stops the harness. */
    private Wave wave(int n, String name, Command command) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        Path log = rig.dir().resolve("fanin").resolve(tag + "-" + name + ".log");
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
        // curl reports each retry of a 503 busy (after its Retry-After) on stderr
        int retries = java.nio.file.Files.exists(log)
                ? (int) java.nio.file.Files.readAllLines(log).stream().filter(x -> x.contains("Will retry")).count() : 0;
        return new Wave(seconds, new ArrayList<>(latencies), retries);
    }
}
