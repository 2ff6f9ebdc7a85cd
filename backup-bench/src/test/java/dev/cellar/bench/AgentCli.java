package dev.cellar.bench;

import dev.cellar.server.testing.ProcessSampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The agent's shaded jar run as the operator or a tenant machine runs it, with one of two JVM configurations. */
final class AgentCli {
    /** A JVM configuration of the agent: {@code <java> <flags> -jar cellar-agent.jar} with {@code env}. */
    record Jvm(String name, Path java, List<String> flags, Map<String, String> env) {
        /** {@code java -jar} on the JDK the harness runs on, as a Java app's image would run it. */
        static final Jvm PLAIN = new Jvm("no flags", Proc.java(), List.of(), Map.of());

        /** The runtime, flags and environment the image ships (examples/tenant-app), with the harness's archive. */
        static Jvm shipped(Path java, Path wrapper, Path archive) throws Exception {
            List<String> flags = new ArrayList<>(FootprintFlags.flags(wrapper));
            flags.add("-XX:SharedArchiveFile=" + archive);
            return new Jvm("shipped flags", java, List.copyOf(flags), FootprintFlags.env(wrapper));
        }

        Jvm with(String name, String flag) {
            List<String> more = new ArrayList<>(flags);
            more.add(flag);
            return new Jvm(name, java, List.copyOf(more), env);
        }
    }

    /** What one command cost: wall time and the agent process's peak resident memory. */
    record Run(double seconds, long peakRssMib) {
    }

    private final Path jar;
    private final Path dir;
    private final String tenant;
    private final Map<String, String> env = new HashMap<>();

    AgentCli(Path jar, Path dir, CellarServer server, String tenant, String token, Map<String, Path> databases)
            throws Exception {
        this.jar = jar;
        this.dir = dir;
        this.tenant = tenant;
        Files.createDirectories(dir.resolve("state"));
        env.put("BACKUP_SERVER_URL", server.base.toString());
        env.put("BACKUP_TENANT", tenant);
        env.put("BACKUP_TOKEN", token);
        List<String> specs = new ArrayList<>();
        databases.forEach((name, path) -> specs.add(name + "=" + path));
        env.put("BACKUP_DATABASES", String.join(",", specs));
        env.put("BACKUP_STATE_DIR", dir.resolve("state").toString());
        env.put("HOME", dir.toString());
        // -Dbench.agentEnv=BACKUP_ZSTD_WORKERS=2,...: settings of the agent to measure instead of its defaults
        for (String pair : System.getProperty("bench.agentEnv", "").split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
    }

    String tenant() {
        return tenant;
    }

    Path log(String logName) {
        return dir.resolve(logName + ".log");
    }

    List<String> command(Jvm jvm, String... args) {
        List<String> c = new ArrayList<>();
        c.add(jvm.java().toString());
        c.addAll(jvm.flags());
        c.add("-jar");
        c.add(jar.toString());
        c.addAll(List.of(args));
        return c;
    }

    Process start(Jvm jvm, Map<String, String> extraEnv, String logName, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(jvm.env());
        all.putAll(extraEnv);
        return Proc.start(command(jvm, args), all, log(logName));
    }

    /** Runs one command to its end, sampling the process's RSS every 50 ms. */
    Run run(Jvm jvm, String logName, String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(jvm, Map.of(), logName, args);
        try (ProcessSampler rss = ProcessSampler.start(p.pid(), 50)) {
            Proc.awaitSuccess(p, command(jvm, args), log(logName));
            return new Run((System.nanoTime() - t0) / 1e9, rss.peakRssMib());
        }
    }
}
