package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Section 2: restore end to end — the agent's {@code restore} into a new file (download, decompress, SHA-256,
 * {@code integrity_check}, fsync, rename) — against {@code curl} GET from the bucket {@code | zstd -d}, fsync and
 * {@code integrity_check}; plus the time from the agent's start to the first restored byte on disk.
 */
final class RestoreBench {
    private final Rig rig;

    RestoreBench(Rig rig) {
        this.rig = rig;
    }

    /** Figures for the footprint section: peak RSS and first-byte times per JVM configuration. */
    record Footprint(Map<String, Long> peakRssMib, Map<String, Stats> firstByteSeconds) {
    }

    Footprint run(long size, AgentCli agent) throws Exception {
        String label = BenchConfig.label(size);
        String tag = label.replace(" ", "");
        boolean references = rig.handToolsPresent("restore " + label);
        List<Double> shipped = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> hand = new ArrayList<>();
        List<Double> firstShipped = new ArrayList<>();
        List<Double> firstPlain = new ArrayList<>();
        long rssShipped = 0;
        long rssPlain = 0;
        for (int i = 0; i < rig.config().runs(); i++) {
            Timed s = restore(agent, rig.shipped(), "restore-" + tag + "-shipped-" + i);
            shipped.add(s.seconds);
            firstShipped.add(s.firstByte);
            rssShipped = Math.max(rssShipped, s.peakRssMib);
            if (references) {
                Path out = fresh("hand").resolve("main.sqlite3");
                hand.add(Proc.sh(String.join(" ", BackupBench.quoted(rig.s3().curl("hand/" + tag + "-0")))
                        + " | zstd -d -q -o '" + out + "'; sync '" + out + "'; test \"$(sqlite3 '" + out
                        + "' 'PRAGMA integrity_check')\" = ok", rig.dir().resolve("hand").resolve("restore.log")));
                Files.delete(out);
            }
            Timed p = restore(agent, AgentCli.Jvm.PLAIN, "restore-" + tag + "-plain-" + i);
            plain.add(p.seconds);
            firstPlain.add(p.firstByte);
            rssPlain = Math.max(rssPlain, p.peakRssMib);
        }
        Report r = rig.report();
        r.heading("Restore, " + label + " (seconds, median (min–max) of " + rig.config().runs() + ")");
        r.tableHeader();
        if (references) {
            r.compare("agent `restore` (new file), vs curl GET \\| zstd -d, fsync, integrity_check", Stats.of(shipped),
                    Stats.of(hand), "s", 1.15);
            r.compare("same, agent without the JVM flags", Stats.of(plain), Stats.of(hand), "s", 1.15);
        } else {
            r.info("agent `restore` (new file)", Stats.of(shipped).describe() + " s", "");
        }
        r.info("agent peak RSS during the restore", rssShipped + " MiB (flags) / " + rssPlain + " MiB (none)", "");
        r.info("agent start → first restored byte", Stats.of(firstShipped).describe() + " s (flags) / "
                + Stats.of(firstPlain).describe() + " s (none)", "");
        r.line("\nAgent restore of the last run: `" + BackupBench.lastLine(agent.log("restore-" + tag + "-shipped-"
                + (rig.config().runs() - 1)), "event=restore.completed") + "`");
        return new Footprint(Map.of("shipped", rssShipped, "plain", rssPlain),
                Map.of("shipped", Stats.of(firstShipped), "plain", Stats.of(firstPlain)));
    }

    private record Timed(double seconds, double firstByte, long peakRssMib) {
    }

    /** One restore into an empty folder, watching the folder for the first byte the agent writes. */
    private Timed restore(AgentCli agent, AgentCli.Jvm jvm, String log) throws Exception {
        Path folder = fresh("agent");
        AtomicLong firstByteAt = new AtomicLong();
        Thread watcher = new Thread(() -> watch(folder, firstByteAt), "first-byte-watcher");
        watcher.setDaemon(true);
        long t0 = System.nanoTime();
        watcher.start();
        AgentCli.Run run = agent.run(jvm, log, "restore", "--database", "main", "--output",
                folder.resolve("main.sqlite3").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        watcher.interrupt();
        watcher.join();
        double firstByte = firstByteAt.get() == 0 ? Double.NaN : (firstByteAt.get() - t0) / 1e9;
        if (!Files.exists(folder.resolve("main.sqlite3"))) {
            throw new IllegalStateException("the restore wrote no database; see " + agent.log(log));
        }
        Files.delete(folder.resolve("main.sqlite3"));
        return new Timed(seconds, firstByte, run.peakRssMib());
    }

    private static void watch(Path folder, AtomicLong firstByteAt) {
        while (!Thread.currentThread().isInterrupted() && firstByteAt.get() == 0) {
            try (Stream<Path> files = Files.list(folder)) {
                if (files.anyMatch(f -> size(f) > 0)) {
                    firstByteAt.set(System.nanoTime());
                    return;
                }
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // a temp file renamed between list and size: look again
            }
        }
    }

    private static long size(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.size(f) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private Path fresh(String name) throws Exception {
        Path folder = rig.dir().resolve("restore-" + name);
        if (Files.exists(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(folder);
        return folder;
    }
}
