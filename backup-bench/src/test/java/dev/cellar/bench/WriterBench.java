package dev.cellar.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Section 4: the tenant app's view. A writer commits one small row per transaction at about 1,000 commits/s
 * (WAL, {@code busy_timeout} 5 s as Rails sets it) while nothing runs, then while the agent's {@code backup} runs;
 * commit latency p50/p99/max and the number of SQLITE_BUSY errors the app would have seen.
 */
final class WriterBench {
    private static final long PERIOD_NANOS = 1_000_000; // 1,000 commits/s
    private final Rig rig;

    WriterBench(Rig rig) {
        this.rig = rig;
    }

    private record Window(List<Double> millis, int busy) {
        Stats stats() {
            return Stats.of(millis);
        }
    }

    void run(long size, Path db, AgentCli agent) throws Exception {
        String label = BenchConfig.label(size);
        Window idle = commits(db, () -> Thread.sleep(10_000));
        Rig.touch(db, 99_999);
        Window during = commits(db, () -> agent.run(rig.shipped(), "writer-" + label.replace(" ", ""), "backup",
                "--database", "main"));
        Report r = rig.report();
        r.heading("Writer commit latency, " + label + " (ms; ≈1,000 small commits/s, WAL)");
        r.line("| | commits | p50 | p99 | max | busy errors |\n|---|---|---|---|---|---|");
        r.line(row("no snapshot running (10 s)", idle));
        r.line(row("during the agent's `backup`", during));
        double ratio = during.stats().percentile(99) / idle.stats().percentile(99);
        r.line(String.format(Locale.ROOT, "\np99 during / idle: **%.2f×** (target ≤ 2×: %s); busy errors: %d "
                + "(target 0: %s)", ratio, Report.verdict(ratio <= 2), during.busy() + idle.busy(),
                Report.verdict(during.busy() + idle.busy() == 0)));
    }

    private static String row(String name, Window w) {
        Stats s = w.stats();
        return String.format(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f | %d |", name, w.millis().size(),
                s.percentile(50), s.percentile(99), s.max(), w.busy());
    }

    interface Work {
        void run() throws Exception;
    }

    /** Commits at the pace of the clock while {@code meanwhile} runs; a late commit does not pile up catch-ups. */
    private static Window commits(Path db, Work meanwhile) throws Exception {
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        int[] busy = new int[1];
        AtomicBoolean stop = new AtomicBoolean();
        Exception[] failure = new Exception[1];
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("PRAGMA synchronous = NORMAL"); // Rails' default for SQLite in production
                try (PreparedStatement p = c.prepareStatement("INSERT INTO events (user_id, kind, payload, created_at)"
                        + " VALUES (?, 'writer', '{\"bench\":true}', '2026-12-01 00:00:00')")) {
                    long next = System.nanoTime();
                    for (int i = 0; !stop.get(); i++) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        next = Math.max(next + PERIOD_NANOS, System.nanoTime());
                        long t = System.nanoTime();
                        p.setInt(1, i);
                        try {
                            p.executeUpdate();
                            millis.add((System.nanoTime() - t) / 1e6);
                        } catch (SQLException e) {
                            if (!e.getMessage().contains("BUSY") && !e.getMessage().contains("locked")) {
                                throw e;
                            }
                            busy[0]++;
                        }
                    }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        }, "writer");
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
        return new Window(new ArrayList<>(millis), busy[0]);
    }
}
