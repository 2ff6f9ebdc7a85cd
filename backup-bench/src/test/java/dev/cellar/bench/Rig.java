package dev.cellar.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one harness run shares: S3Proxy and two servers as processes (over the bucket, and on local files),
 * the agent's two JVM configurations, which reference tools are on PATH, and the report.
 */
record Rig(BenchConfig config, Path dir, S3ProxyProcess s3, CellarServer server, CellarServer localServer,
           AgentCli.Jvm shipped, Report report, List<String> missingTools) {

    static List<String> missing(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (!Proc.onPath(t)) {
                missing.add(t);
            }
        }
        return missing;
    }

    /** True when the hand-built reference pipelines can run; otherwise says so in the report, once per section. */
    boolean handToolsPresent(String section) {
        if (missingTools.isEmpty()) {
            return true;
        }
        report.line("_" + section + ": the reference pipeline needs " + String.join(", ", missingTools)
                + ", missing on this machine; only Cellar's figures are measured._");
        return false;
    }

    /** One small committed change, so that the next snapshot is a new version and not "unchanged". */
    static void touch(Path db, int round) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO events (user_id, kind, payload, created_at) VALUES (" + round
                    + ", 'touch', 'bench', '2026-12-01 00:00:00')");
        }
    }
}
