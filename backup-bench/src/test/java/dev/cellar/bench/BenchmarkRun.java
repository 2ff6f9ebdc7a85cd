package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness (docs/BENCHMARKS.md): the built agent and server jars as processes, S3Proxy as a process,
 * deterministic Rails-like databases, Cellar alternating with the reference pipelines. Not part of
 * {@code mvn verify}; run it with {@code mvn -B -o -Pbench -pl backup-bench -am verify -Dbench.sizes=100MiB,1GiB}.
 * Figures go to {@code backup-bench/target/bench/results.md} and {@code fan-in.svg}. It fails only when something
 * under test fails (a command exits non-zero, a version is not listed); missed targets are reported, not asserted:
 * speed on a shared machine is not a test.
 */
@Tag("bench")
class BenchmarkRun {

    @Test
    void measure() throws Exception {
        BenchConfig config = BenchConfig.fromSystemProperties();
        Path work = config.out().resolve("work");
        deleteRecursively(work); // an interrupted run's leftovers; the generated databases stay in out/data
        Files.createDirectories(work);
        Report report = new Report(config.out().resolve("results.md"));
        report.line("## Results " + Instant.now() + "\n\n" + machine() + "\n\nsizes " + config.sizes().stream()
                .map(BenchConfig::label).toList() + ", " + config.runs() + " runs, fan-in " + config.fanIn());
        try (S3ProxyProcess s3 = S3ProxyProcess.start(work.resolve("s3"));
             CellarServer server = CellarServer.start(config.serverJar(), work, "server-s3", s3.serverEnv());
             CellarServer local = CellarServer.start(config.serverJar(), work, "server-local", Map.of())) {
            String token = server.mintToken("bench");
            Map<String, Path> dbs = new LinkedHashMap<>();
            for (long size : config.sizes()) {
                Path db = config.out().resolve("data").resolve("rails-" + BenchConfig.label(size).replace(" ", "")
                        + ".sqlite3");
                Files.createDirectories(db.getParent());
                long t0 = System.nanoTime();
                RailsDatabase.create(db, size);
                report.line(String.format(Locale.ROOT, "database %s: %,d bytes (ready in %.0f s)",
                        BenchConfig.label(size), Files.size(db), (System.nanoTime() - t0) / 1e9));
                dbs.put(BenchConfig.label(size), db);
            }
            Path cds = RailsDatabase.create(work.resolve("cds.sqlite3"), 1L << 20);
            AgentCli archiver = new AgentCli(config.agentJar(), work.resolve("agent-cds"), server, "bench-cds",
                    server.mintToken("bench-cds"), Map.of("main", cds));
            // the image's runtime is kept beside the generated databases: it only changes with the Dockerfile
            Path java = FootprintFlags.runtime(config.dockerfile(), config.out().resolve("data").resolve("runtime"),
                    report);
            Path archive = FootprintBench.buildArchive(archiver, java, config.wrapper(),
                    work.resolve("cellar-agent.jsa"));
            Rig rig = new Rig(config, work, s3, server, local, AgentCli.Jvm.shipped(java, config.wrapper(), archive),
                    report,
                    Rig.missing("sqlite3", "zstd", "curl"));
            report.line("agent, shipped: `" + rig.shipped().java() + " " + String.join(" ", rig.shipped().flags())
                    + "` " + rig.shipped().env() + "; without flags: `" + AgentCli.Jvm.PLAIN.java() + "`");

            Map<String, Object> footprint = new LinkedHashMap<>();
            for (long size : config.sizes()) {
                String label = BenchConfig.label(size);
                Path db = dbs.get(label);
                AgentCli agent = new AgentCli(config.agentJar(), work.resolve("agent-" + label.replace(" ", "")),
                        server, "bench", token, Map.of("main", db));
                if (config.runs("backup")) {
                    footprint.put("backup peak RSS " + label, new BackupBench(rig).run(size, db, agent));
                }
                if (config.runs("restore")) { // restores what the backups stored
                    RestoreBench.Footprint restore = new RestoreBench(rig).run(size, agent);
                    footprint.put("restore peak RSS " + label, restore.peakRssMib());
                    footprint.put("first byte " + label, restore.firstByteSeconds());
                }
                if (config.runs("ingest")) {
                    new IngestBench(rig).run(size, db);
                }
                if (config.runs("writer")) {
                    new WriterBench(rig).run(size, db, agent);
                }
            }
            if (config.runs("fanin")) {
                fanIn(rig, config);
            }
            if (config.runs("footprint")) {
                AgentCli idleAgent = new AgentCli(config.agentJar(), work.resolve("agent-idle"), server,
                        "bench-idle", server.mintToken("bench-idle"), Map.of("main", cds));
                agentFootprint(report, new FootprintBench(rig).idle(idleAgent), footprint);
            }
            if (config.runs("huge")) {
                new HugeUploadBench(rig).run();
            }
        }
        deleteRecursively(work.resolve("s3"));
    }

    private static void fanIn(Rig rig, BenchConfig config) throws Exception {
        List<FanInBench.Level> levels = new FanInBench(rig, rig.server(), "d", "defaults").run();
        // the same with admission out of the way, to see the cost of one upload; 128 slots need more than 256 MB
        // (each upload holds a part buffer and codec state: README, "Memory and limits"), so this one gets 1 GB
        Map<String, String> wideEnv = new HashMap<>(rig.s3().serverEnv());
        wideEnv.put("BACKUP_MAX_CONCURRENT_UPLOADS", "128");
        List<FanInBench.Level> wide;
        try (CellarServer server = CellarServer.start(config.serverJar(), rig.dir(), "server-wide", wideEnv, "1g")) {
            wide = new FanInBench(rig, server, "w", "BACKUP_MAX_CONCURRENT_UPLOADS=128, -Xmx1g").run();
        }
        if (levels.isEmpty()) {
            return;
        }
        List<Integer> xs = levels.stream().map(FanInBench.Level::n).toList();
        String svg = SvgChart.fanIn("Fan-in, 1 MiB databases (" + Runtime.getRuntime().availableProcessors()
                        + " shared cores)", xs,
                List.of(new SvgChart.Series("server, defaults", "#c0392b", medians(levels, FanInBench.Level::cellarRate)),
                        new SvgChart.Series("server, 128 slots, 1 GB heap", "#e67e22",
                                medians(wide, FanInBench.Level::cellarRate)),
                        new SvgChart.Series("PUT to the bucket", "#2c3e50", medians(levels, FanInBench.Level::directRate))),
                List.of(new SvgChart.Series("server, defaults", "#c0392b", medians(levels, FanInBench.Level::cellarP99)),
                        new SvgChart.Series("server, 128 slots, 1 GB heap", "#e67e22",
                                medians(wide, FanInBench.Level::cellarP99)),
                        new SvgChart.Series("PUT to the bucket", "#2c3e50", medians(levels, FanInBench.Level::directP99))));
        Files.writeString(config.out().resolve("fan-in.svg"), svg);
        rig.report().line("\nChart: `fan-in.svg`");
    }

    private static List<Double> medians(List<FanInBench.Level> levels,
                                        java.util.function.Function<FanInBench.Level, Stats> which) {
        List<Double> out = new ArrayList<>();
        for (FanInBench.Level l : levels) {
            out.add(which.apply(l).median());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void agentFootprint(Report r, Map<String, Long> idle, Map<String, Object> measured) {
        r.heading("Agent footprint (targets: idle ≤ 64 MB under `run`, peak ≤ 150 MB, first restored byte ≤ 1 s)");
        r.tableHeader();
        r.absolute("idle RSS under `run`, shipped flags", idle.get("shipped") + " MiB", idle.get("shipped"),
                "≤ 64 MB", idle.get("shipped") * 1.048576 <= 64);
        r.absolute("idle RSS under `run`, no flags", idle.get("plain") + " MiB", idle.get("plain"), "≤ 64 MB",
                idle.get("plain") * 1.048576 <= 64);
        measured.forEach((what, value) -> {
            if (what.startsWith("first byte")) {
                Map<String, Stats> s = (Map<String, Stats>) value;
                for (String jvm : List.of("shipped", "plain")) {
                    r.absolute(what + ", " + jvm + " (s)", s.get(jvm).describe(), s.get(jvm).median(), "≤ 1 s",
                            s.get(jvm).median() <= 1);
                }
            } else {
                Map<String, Long> m = (Map<String, Long>) value;
                for (String jvm : List.of("shipped", "plain")) {
                    r.absolute(what + ", " + jvm, m.get(jvm) + " MiB", m.get(jvm), "≤ 150 MB",
                            m.get(jvm) * 1.048576 <= 150);
                }
            }
        });
    }

    private static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        return String.format(Locale.ROOT, "machine: %d cores (%s), %s, load average at start %s; Java %s",
                Runtime.getRuntime().availableProcessors(), cpu, mem, load, System.getProperty("java.version"));
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
