package dev.cellar.agent.benchmark;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot + upload time of the agent against a hand-built pipeline ({@code sqlite3 VACUUM INTO} + {@code zstd} +
 * {@code curl}) on the same database, server and run, and the commit latency a concurrent writer sees during a
 * snapshot. Not part of the default build:
 * {@code mvn -B -pl backup-agent -am verify -Dtest=SnapshotBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsurefire.excludedGroups=large -Dbench.mb=512}. Results go to {@code backup-agent/target/benchmark.md}.
 */
@Tag("benchmark")
class SnapshotBenchmark {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int MEGABYTES = Integer.getInteger("bench.mb", 256);

    @TempDir
    Path data;

    @Test
    void agentAgainstHandBuiltPipeline() throws Exception {
        Path db = data.resolve("main.sqlite3");
        long built = System.nanoTime();
        RailsLikeDatabase.create(db, MEGABYTES);
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "database: %,d bytes (built in %.1f s), %d cores, %d rounds%n%n",
                Files.size(db), (System.nanoTime() - built) / 1e9, Runtime.getRuntime().availableProcessors(), ROUNDS));

        try (TestServer server = Servers.start()) {
            String token = server.mintToken("bench");
            Map<String, String> env = AgentFixture.env(server.baseUri(), "bench", token, data);
            env.remove(AgentConfigLoader.ZSTD_WORKERS); // the agent's default: one core left to the app
            Agent agent = AgentFixture.agent(env);
            env.put(AgentConfigLoader.ZSTD_WORKERS, Integer.toString(Runtime.getRuntime().availableProcessors()));
            Agent allCores = AgentFixture.agent(env);
            Database main = new Database("main", db);
            String url = server.baseUri() + "/api/v1/tenants/bench/databases/main/snapshots";
            agent.snapshots().runOnce(); // warm up the JVM, the page cache and the server

            List<Double> agentSeconds = new ArrayList<>();
            List<Double> allCoresSeconds = new ArrayList<>();
            List<Double> handSeconds = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                touch(db, i);
                agentSeconds.add(timedUpload(agent, main));
                touch(db, 1000 + i);
                allCoresSeconds.add(timedUpload(allCores, main));
                touch(db, 2000 + i);
                handSeconds.add(handPipeline(db, url, token));
            }
            double handMedian = median(handSeconds);
            report.append("| pipeline | median s | runs (s) |\n|---|---|---|\n");
            report.append(row("agent, default (zstd workers = cores - 1): VACUUM INTO, sha256, quick_check, zstd -3"
                    + " (+ sha256 of the body), upload", agentSeconds));
            report.append(row("agent, zstd workers = cores (the threads zstd -T0 uses)", allCoresSeconds));
            report.append(row("hand: sqlite3 VACUUM INTO; zstd -3 -T0; curl --data-binary", handSeconds));
            report.append(String.format(Locale.ROOT, "%nratio agent/hand: %.2f (default), %.2f (same threads)%n%n",
                    median(agentSeconds) / handMedian, median(allCoresSeconds) / handMedian));

            touch(db, 5000);
            report.append(writerLatency(agent, main, db));
        }
        String text = report.toString();
        System.out.println(text);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "benchmark.md"), text);
    }

    private static double timedUpload(Agent agent, Database main) throws Exception {
        long t0 = System.nanoTime();
        SnapshotResult r = agent.snapshots().runOnce(d -> d.equals(main)).results().get(0);
        if (r.outcome() != SnapshotResult.Outcome.UPLOADED) {
            throw new IllegalStateException("expected an upload, got " + r.outcome());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Commit latency of a writer (one small transaction at a time, WAL) without and during a snapshot. */
    private static String writerLatency(Agent agent, Database main, Path db) throws Exception {
        List<Long> idle = commits(db, () -> Thread.sleep(3000));
        List<Long> during = commits(db, () -> timedUpload(agent, main));
        return "Commit latency of a concurrent writer (ms):\n\n| | commits | p50 | p99 | max |\n|---|---|---|---|---|\n"
                + latencyRow("no snapshot running (3 s)", idle) + latencyRow("during agent snapshot + upload", during);
    }

    interface Work {
        void run() throws Exception;
    }

    private static List<Long> commits(Path db, Work meanwhile) throws Exception {
        List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Exception[] failure = new Exception[1];
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                try (PreparedStatement p = c.prepareStatement("INSERT INTO events (user_id, kind, payload, created_at)"
                        + " VALUES (?, 'bench', 'x', datetime('now'))")) {
                    for (int i = 0; !stop.get(); i++) {
                        long t = System.nanoTime();
                        p.setInt(1, i);
                        p.executeUpdate();
                        nanos.add(System.nanoTime() - t);
                    }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        writer.start();
        try {
            meanwhile.run();
        } finally {
            stop.set(true);
            writer.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return new ArrayList<>(nanos);
    }

    private static double handPipeline(Path db, String url, String token) throws Exception {
        Path raw = db.resolveSibling("hand.sqlite3");
        Path zst = db.resolveSibling("hand.sqlite3.zst");
        Files.deleteIfExists(raw);
        Files.deleteIfExists(zst);
        long t0 = System.nanoTime();
        exec("sqlite3", db.toString(), "VACUUM INTO '" + raw + "'");
        exec("zstd", "-q", "-3", "-T0", raw.toString(), "-o", zst.toString());
        exec("curl", "-sS", "-f", "-o", "/dev/null", "-H", "Authorization: Bearer " + token,
                "-H", "Content-Type: application/zstd", "--data-binary", "@" + zst, url);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.delete(raw);
        Files.delete(zst);
        return seconds;
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(command[0] + " exited " + p.exitValue());
        }
    }

    private static void touch(Path db, int i) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO events (user_id, kind, payload, created_at) VALUES (" + i + ", 'touch', 'x', 'now')");
        }
    }

    private static String row(String name, List<Double> seconds) {
        StringBuilder runs = new StringBuilder();
        for (double s : seconds) {
            runs.append(runs.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return String.format(Locale.ROOT, "| %s | %.2f | %s |%n", name, median(seconds), runs);
    }

    private static String latencyRow(String name, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f |%n", name, sorted.size(),
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A database shaped like a Rails app's: users and events with text, JSON-ish payloads and indexes. */
    static final class RailsLikeDatabase {
        private static final String[] WORDS = {"order", "created", "updated", "invoice", "customer", "shipped",
            "payment", "refund", "session", "login", "cart", "item", "price", "quantity", "status", "pending"};

        static void create(Path db, int megabytes) throws Exception {
            Random random = new Random(1);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT)");
                s.execute("CREATE UNIQUE INDEX index_users_on_email ON users(email)");
                s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER, kind TEXT, payload TEXT,"
                        + " created_at TEXT)");
                s.execute("CREATE INDEX index_events_on_user_id ON events(user_id)");
                c.setAutoCommit(false);
                try (PreparedStatement u = c.prepareStatement("INSERT INTO users (email, name, created_at) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < 50_000; i++) {
                        u.setString(1, "user" + i + "@example.com");
                        u.setString(2, WORDS[random.nextInt(WORDS.length)] + " " + i);
                        u.setString(3, "2026-01-01T00:00:00Z");
                        u.addBatch();
                    }
                    u.executeBatch();
                }
                try (PreparedStatement e = c.prepareStatement("INSERT INTO events (user_id, kind, payload, created_at)"
                        + " VALUES (?, ?, ?, ?)")) {
                    long target = (long) megabytes << 20;
                    for (int i = 0; ; i++) {
                        e.setInt(1, random.nextInt(50_000));
                        e.setString(2, WORDS[random.nextInt(WORDS.length)]);
                        e.setString(3, payload(random));
                        e.setString(4, "2026-11-" + (10 + random.nextInt(20)) + "T12:" + random.nextInt(60) + ":00Z");
                        e.addBatch();
                        if (i % 50_000 == 49_999) {
                            e.executeBatch();
                            c.commit();
                            if (Files.size(db) + Files.size(Path.of(db + "-wal")) >= target) {
                                break;
                            }
                        }
                    }
                }
                c.commit();
                c.setAutoCommit(true);
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }

        private static String payload(Random random) {
            StringBuilder b = new StringBuilder("{");
            int fields = 3 + random.nextInt(6);
            for (int f = 0; f < fields; f++) {
                b.append(f == 0 ? "" : ",").append('"').append(WORDS[random.nextInt(WORDS.length)]).append("\":");
                if (random.nextBoolean()) {
                    b.append(random.nextInt(100_000));
                } else {
                    b.append('"').append(Long.toHexString(random.nextLong())).append('"');
                }
            }
            return b.append('}').toString();
        }
    }

}
