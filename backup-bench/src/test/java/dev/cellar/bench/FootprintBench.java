package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.cellar.server.testing.ProcessSampler;

/**
 * Section 6, the agent: resident memory of an idle {@code run} (the app is {@code sleep}; schedule far away) with
 * and without the shipped JVM flags, and Native Memory Tracking summaries of both for the report. Peak RSS during
 * backup and restore and the time to the first restored byte come from sections 1 and 2.
 */
final class FootprintBench {
    private static final long SETTLE_MILLIS = 15_000;
    private final Rig rig;

    FootprintBench(Rig rig) {
        this.rig = rig;
    }

    /** Idle RSS in MiB per JVM configuration ("plain", "shipped"); NMT summaries are written beside the report. */
    Map<String, Long> idle(AgentCli agent) throws Exception {
        return Map.of("plain", idleRss(agent, AgentCli.Jvm.PLAIN, "plain"),
                "shipped", idleRss(agent, rig.shipped(), "shipped"));
    }

    private long idleRss(AgentCli agent, AgentCli.Jvm jvm, String name) throws Exception {
        AgentCli.Jvm tracked = jvm.with(jvm.name() + " + NMT", "-XX:NativeMemoryTracking=summary");
        Map<String, String> env = Map.of("BACKUP_SCHEDULE", "0 0 0 1 1 ? 2099", "BACKUP_MACHINE_ID", "bench-idle",
                "BACKUP_ON_SHUTDOWN", "false");
        // the untracked JVM gives the figure (NMT itself costs memory); the tracked one the breakdown
        long rss = settle(agent.start(jvm, env, "idle-" + name, "run", "--", "sleep", "600"), null);
        settle(agent.start(tracked, env, "idle-nmt-" + name, "run", "--", "sleep", "600"),
                rig.config().out().resolve("nmt-idle-" + name + ".txt"));
        return rss;
    }

    /** Waits until the agent has settled, returns its RSS (MiB), optionally saves its NMT summary, stops it. */
    private static long settle(Process p, Path nmt) throws Exception {
        try (ProcessSampler rss = ProcessSampler.start(p.pid(), 500)) {
            Thread.sleep(SETTLE_MILLIS);
            if (!p.isAlive()) {
                throw new IllegalStateException("the idle agent exited with " + p.exitValue());
            }
            rss.sample();
            if (nmt != null) {
                Path jcmd = Proc.java().resolveSibling("jcmd");
                Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "VM.native_memory", "summary")
                        .redirectErrorStream(true).redirectOutput(nmt.toFile()).start();
                j.waitFor();
            }
            return rss.lastRssMib();
        } finally {
            Proc.stop(p);
        }
    }

    /** Builds the class-data sharing archive as the image does: one {@code run} of the agent, archived at exit. */
    static Path buildArchive(AgentCli agent, Path java, Path wrapper, Path archive) throws Exception {
        Files.deleteIfExists(archive);
        List<String> flags = new ArrayList<>(FootprintFlags.flags(wrapper));
        flags.add("-XX:ArchiveClassesAtExit=" + archive);
        flags.add("-Xlog:cds=error");
        Process p = agent.start(new AgentCli.Jvm("archive", java, flags, Map.of()), Map.of("BACKUP_MACHINE_ID",
                        "bench-cds"),
                "cds-archive", "run", "--", "true");
        Proc.awaitSuccess(p, List.of("cellar-agent run -- true"), agent.log("cds-archive"));
        if (!Files.exists(archive)) {
            throw new IllegalStateException("no class-data sharing archive; see " + agent.log("cds-archive"));
        }
        return archive;
    }
}
