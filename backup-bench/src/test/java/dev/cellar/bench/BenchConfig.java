package dev.cellar.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one harness run measures, from system properties (set by the pom, overridden with {@code -D}).
 *
 * @param sizes    database sizes in bytes ({@code bench.sizes=100MiB,1GiB})
 * @param runs     repetitions of each measurement, Cellar and reference alternating
 * @param fanIn    numbers of concurrent uploaders ({@code bench.fanIn=1,10,100})
 * @param sections which sections run ({@code bench.sections}, default all: backup,restore,ingest,writer,fanin,
 *                 footprint,huge); a subset re-measures one part without the others
 * @param hugeGiB  size of the upload streamed through a server with {@code -Xmx256m}; 0 skips it, {@code auto}
 *                 is 5 when a database of 1 GiB or more is measured and 1 in the quick mode
 */
record BenchConfig(List<Long> sizes, int runs, List<Integer> fanIn, List<String> sections, int hugeGiB, Path agentJar, Path serverJar,
                   Path wrapper, Path dockerfile, Path out) {

    static BenchConfig fromSystemProperties() {
        List<Long> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.sizes", "100MiB,1GiB").split(",")) {
            sizes.add(parseSize(s.trim()));
        }
        List<Integer> fanIn = new ArrayList<>();
        for (String s : System.getProperty("bench.fanIn", "1,10,100").split(",")) {
            fanIn.add(Integer.parseInt(s.trim()));
        }
        String huge = System.getProperty("bench.hugeGiB", "auto");
        int hugeGiB = huge.equals("auto") ? (sizes.stream().anyMatch(s -> s >= 1L << 30) ? 5 : 1)
                : Integer.parseInt(huge);
        List<String> sections = List.of(System.getProperty("bench.sections",
                "backup,restore,ingest,writer,fanin,footprint,huge").split(","));
        return new BenchConfig(sizes, Integer.getInteger("bench.runs", 3), fanIn, sections, hugeGiB,
                Path.of(System.getProperty("bench.agentJar", "../backup-agent/target/cellar-agent.jar")).toAbsolutePath(),
                Path.of(System.getProperty("bench.serverJar", "../backup-server/target/cellar-server.jar")).toAbsolutePath(),
                Path.of(System.getProperty("bench.wrapper", "../examples/tenant-app/cellar-agent")).toAbsolutePath(),
                Path.of(System.getProperty("bench.dockerfile", "../examples/tenant-app/Dockerfile")).toAbsolutePath(),
                Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath());
    }

    boolean runs(String section) {
        return sections.contains(section);
    }

    /** "20MiB", "1GiB", "512KiB" or plain bytes. */
    static long parseSize(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        long factor = 1;
        for (String[] unit : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}}) {
            if (u.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                u = u.substring(0, u.length() - unit[0].length());
            }
        }
        return Long.parseLong(u.trim()) * factor;
    }

    static String label(long bytes) {
        return bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? bytes / (1L << 30) + " GiB" : bytes / (1L << 20) + " MiB";
    }
}
