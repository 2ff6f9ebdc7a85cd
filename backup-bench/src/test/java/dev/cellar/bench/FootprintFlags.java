package dev.cellar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's JVM flags and environment as shipped, read from the image's wrapper
 * ({@code examples/tenant-app/cellar-agent}) so that what is measured is what ships; the class-data sharing
 * archive is added by the harness, built the way the image builds it.
 */
final class FootprintFlags {
    private static final Pattern FLAG = Pattern.compile("(?<![{:\\w])(-X[^\\s}$]+)");
    private static final Pattern ENV = Pattern.compile("export (\\w+)=\"\\$\\{\\w+:-([^}]*)}\"");

    private FootprintFlags() {
    }

    /** The wrapper's {@code -X...} flags, without the archive's. */
    static List<String> flags(Path wrapper) throws Exception {
        List<String> flags = new ArrayList<>();
        Matcher m = FLAG.matcher(execLine(wrapper));
        while (m.find()) {
            if (!m.group(1).contains("Archive")) {
                flags.add(m.group(1));
            }
        }
        if (!flags.contains("-XX:+UseSerialGC")) {
            throw new IllegalStateException("no JVM flags found in " + wrapper + ": " + flags);
        }
        return flags;
    }

    /** The variables the wrapper exports with a default, e.g. MALLOC_ARENA_MAX. */
    static Map<String, String> env(Path wrapper) throws Exception {
        Matcher m = ENV.matcher(Files.readString(wrapper));
        return m.find() ? Map.of(m.group(1), m.group(2)) : Map.of();
    }

    /**
     * The image's Java runtime: jlink with the module list of the example image's Dockerfile and its options,
     * CDS archive of the JDK classes included. Falls back to the harness's own JDK (and says so) where this JDK
     * has no jlink or no jmods.
     */
    static Path runtime(Path dockerfile, Path out, Report report) throws Exception {
        Matcher m = Pattern.compile("jlink --add-modules ([\\w.,]+)").matcher(Files.readString(dockerfile));
        Path jlink = Proc.java().resolveSibling("jlink");
        Path jmods = Path.of(System.getProperty("java.home"), "jmods");
        if (!m.find() || !Files.isExecutable(jlink) || !Files.isDirectory(jmods)) {
            report.line("_no jlink/jmods in this JDK: the shipped flags run on the full JDK, not the image's runtime_");
            return Proc.java();
        }
        // a runtime kept from an earlier run is reused only if it was made from the same module list
        Path modules = out.resolveSibling("runtime.modules");
        if (Files.isDirectory(out) && !(Files.exists(modules) && Files.readString(modules).equals(m.group(1)))) {
            Proc.run(List.of("rm", "-rf", out.toString()), Map.of(), out.resolveSibling("jlink.log"));
        }
        if (!Files.isExecutable(out.resolve("bin").resolve("java"))) {
            Files.writeString(modules, m.group(1));
            Proc.run(List.of(jlink.toString(), "--add-modules", m.group(1), "--strip-debug", "--no-man-pages",
                    "--no-header-files", "--compress=2", "--generate-cds-archive", "--output", out.toString()),
                    Map.of(), out.resolveSibling("jlink.log"));
        }
        return out.resolve("bin").resolve("java");
    }

    private static String execLine(Path wrapper) throws Exception {
        String text = Files.readString(wrapper).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            if (line.startsWith("exec ")) {
                return line.substring(0, line.indexOf(" -jar "));
            }
        }
        throw new IllegalStateException("no exec line in " + wrapper);
    }
}
