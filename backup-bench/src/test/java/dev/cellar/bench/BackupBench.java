package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Section 1: backup end to end — the agent's {@code backup} command until the server lists the new version —
 * against the hand pipeline that PUTs straight to the same bucket ({@code sqlite3 VACUUM INTO}, {@code zstd -3
 * -T0} into a file, {@code curl --aws-sigv4 -T}) and against the floor ({@code VACUUM INTO} + {@code zstd}, no network).
 * Cellar and the references alternate within each run so that the busy host's drift hits both.
 */
final class BackupBench {
    private final Rig rig;

    BackupBench(Rig rig) {
        this.rig = rig;
    }

    /** Returns the agent's peak RSS per JVM configuration (MiB, the largest of the runs). */
    Map<String, Long> run(long size, Path db, AgentCli agent) throws Exception {
        String label = BenchConfig.label(size);
        List<Double> shipped = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> hand = new ArrayList<>();
        List<Double> floor = new ArrayList<>();
        long shippedRss = 0;
        long plainRss = 0;
        boolean references = rig.handToolsPresent("backup " + label);
        Path work = rig.dir().resolve("hand");
        Files.createDirectories(work);
        Path raw = work.resolve("raw.sqlite3");
        for (int i = 0; i < rig.config().runs(); i++) {
            Rig.touch(db, 1000 * i + 1);
            AgentCli.Run s = timedBackup(agent, rig.shipped(), "backup-" + label.replace(" ", "") + "-shipped-" + i);
            shipped.add(s.seconds());
            shippedRss = Math.max(shippedRss, s.peakRssMib());
            if (references) {
                // an S3 PUT needs its length up front (no chunked body), so zstd writes a file that curl then sends
                hand.add(Proc.sh("sqlite3 '" + db + "' \"VACUUM INTO '" + raw + "'\"; zstd -q -f -3 -T0 --rm '" + raw
                        + "' -o '" + raw + ".zst'; " + String.join(" ", quoted(rig.s3().curl("hand/"
                        + label.replace(" ", "") + "-" + i))) + " -T '" + raw + ".zst' -o /dev/null; rm -f '" + raw
                        + ".zst'", work.resolve("hand.log")));
                floor.add(Proc.sh("sqlite3 '" + db + "' \"VACUUM INTO '" + raw + "'\"; zstd -q -f -3 -T0 '" + raw
                        + "' -o '" + raw + ".zst'; rm -f '" + raw + "' '" + raw + ".zst'", work.resolve("floor.log")));
            }
            Rig.touch(db, 1000 * i + 2);
            AgentCli.Run p = timedBackup(agent, AgentCli.Jvm.PLAIN, "backup-" + label.replace(" ", "") + "-plain-" + i);
            plain.add(p.seconds());
            plainRss = Math.max(plainRss, p.peakRssMib());
        }
        Report r = rig.report();
        r.heading("Backup, " + label + " (seconds, median (min–max) of " + rig.config().runs() + ")");
        r.tableHeader();
        if (references) {
            r.compare("agent `backup` → version listed, vs hand pipeline to the bucket", Stats.of(shipped),
                    Stats.of(hand), "s", 1.15);
            r.compare("same, agent without the JVM flags", Stats.of(plain), Stats.of(hand), "s", 1.15);
            r.compare("agent vs the floor (`VACUUM INTO` + `zstd -3 -T0`, no network)", Stats.of(shipped),
                    Stats.of(floor), "s", Double.POSITIVE_INFINITY);
        } else {
            r.info("agent `backup` → version listed", Stats.of(shipped).describe() + " s", "");
        }
        r.info("agent peak RSS during the backup", shippedRss + " MiB (flags) / " + plainRss + " MiB (none)", "");
        r.line("\nAgent phases of the last run: `" + lastLine(agent.log("backup-" + label.replace(" ", "")
                + "-shipped-" + (rig.config().runs() - 1)), "event=snapshot.uploaded") + "`");
        return Map.of("shipped", shippedRss, "plain", plainRss);
    }

    private AgentCli.Run timedBackup(AgentCli agent, AgentCli.Jvm jvm, String log) throws Exception {
        String before = rig.server().latestVersion(agent.tenant(), "main");
        long t0 = System.nanoTime();
        AgentCli.Run run = agent.run(jvm, log, "backup", "--database", "main");
        String after = rig.server().latestVersion(agent.tenant(), "main");
        if (after == null || after.equals(before)) {
            throw new IllegalStateException("the backup did not list a new version; see " + agent.log(log));
        }
        return new AgentCli.Run((System.nanoTime() - t0) / 1e9, run.peakRssMib());
    }

    static List<String> quoted(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String a : args) {
            q.add("'" + a.replace("'", "'\\''") + "'");
        }
        return q;
    }

    static String lastLine(Path log, String marker) throws Exception {
        String last = "(none)";
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (line.contains(marker)) {
                    last = line.substring(line.indexOf(marker));
                }
            }
        }
        return last;
    }
}
