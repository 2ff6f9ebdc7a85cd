package dev.cellar.agent.metrics;

import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.snapshot.SnapshotService;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The agent's snapshot figures per database, written in the Prometheus text format by hand: a tenant machine has
 * a few databases and the agent must stay small, so no metrics library (Micrometer with its Prometheus registry
 * would add about 3.6 MB to the jar; see docs/metrics.md). Fed with every round of snapshots.
 */
public final class AgentMetrics implements Consumer<SnapshotService.Round> {
    private static final String[] OUTCOMES = {"uploaded", "unchanged", "unchanged_on_server", "failed"};
    private final Clock clock;
    private final Instant started;
    private final Map<String, Figures> databases = new TreeMap<>();

    /** One database's figures; guarded by the {@link AgentMetrics} instance. */
    private static final class Figures {
        final Map<String, Long> snapshots = new LinkedHashMap<>();
        long uploadedBytes;
        Instant lastSuccess;
        double lastSeconds;
        long lastSizeBytes;
        Instant lastFailure;
    }

    public AgentMetrics(Clock clock) {
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Records one round's results and failures. */
    @Override
    public synchronized void accept(SnapshotService.Round round) {
        Instant now = clock.instant();
        for (SnapshotResult r : round.results()) {
            Figures f = figures(r.database().name());
            f.snapshots.merge(r.outcome().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
            f.uploadedBytes += r.storedBytes();
            f.lastSuccess = now;
            f.lastSeconds = r.took().toMillis() / 1000.0;
            f.lastSizeBytes = r.sizeBytes();
        }
        round.failures().keySet().forEach(name -> {
            Figures f = figures(name); // "*": the databases could not be listed
            f.snapshots.merge("failed", 1L, Long::sum);
            f.lastFailure = now;
        });
    }

    private Figures figures(String database) {
        return databases.computeIfAbsent(database, name -> {
            Figures f = new Figures();
            for (String outcome : OUTCOMES) {
                f.snapshots.put(outcome, 0L); // every outcome from the start, so that rate() sees the first one
            }
            return f;
        });
    }

    /** The whole exposition, version 0.0.4. */
    public synchronized String scrape() {
        StringBuilder out = new StringBuilder();
        family(out, "cellar_agent_snapshots_total", "counter",
                "snapshots by database and outcome (uploaded, unchanged, unchanged_on_server, failed)");
        databases.forEach((db, f) -> {
            f.snapshots.forEach((outcome, n) ->
                    sample(out, "cellar_agent_snapshots_total", db, ",outcome=\"" + outcome + "\"", n));
        });
        family(out, "cellar_agent_uploaded_bytes_total", "counter", "compressed bytes sent to the server");
        databases.forEach((db, f) -> sample(out, "cellar_agent_uploaded_bytes_total", db, "", f.uploadedBytes));
        family(out, "cellar_agent_last_success_timestamp_seconds", "gauge",
                "when the last snapshot that reached the server (or was unchanged) ended");
        databases.forEach((db, f) -> {
            if (f.lastSuccess != null) {
                sample(out, "cellar_agent_last_success_timestamp_seconds", db, "", seconds(f.lastSuccess));
            }
        });
        family(out, "cellar_agent_last_snapshot_duration_seconds", "gauge", "how long the last good snapshot took");
        databases.forEach((db, f) -> {
            if (f.lastSuccess != null) {
                sample(out, "cellar_agent_last_snapshot_duration_seconds", db, "", f.lastSeconds);
            }
        });
        family(out, "cellar_agent_last_snapshot_size_bytes", "gauge", "the database image of the last good snapshot");
        databases.forEach((db, f) -> {
            if (f.lastSuccess != null) {
                sample(out, "cellar_agent_last_snapshot_size_bytes", db, "", f.lastSizeBytes);
            }
        });
        family(out, "cellar_agent_last_failure_timestamp_seconds", "gauge", "when the last failed snapshot ended");
        databases.forEach((db, f) -> {
            if (f.lastFailure != null) {
                sample(out, "cellar_agent_last_failure_timestamp_seconds", db, "", seconds(f.lastFailure));
            }
        });
        family(out, "cellar_agent_start_timestamp_seconds", "gauge", "when this agent started");
        out.append("cellar_agent_start_timestamp_seconds ").append(number(seconds(started))).append('\n');
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String database, String moreLabels, double value) {
        out.append(name).append("{database=\"").append(escape(database)).append('"').append(moreLabels)
                .append("} ").append(number(value)).append('\n');
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    private static double seconds(Instant at) {
        return at.toEpochMilli() / 1000.0;
    }
}
