package dev.cellar.agent.snapshot;

import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots every configured database that exists, one after the other; one database failing does not keep the
 * others from being backed up. This is what the schedule, the shutdown hook and {@code cellar-agent snapshot} run.
 */
public final class SnapshotService {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);

    /** The outcome of one round: a result or a failure for each database. */
    public record Round(List<SnapshotResult> results, Map<String, Exception> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final DatabaseResolver resolver;
    private final Snapshotter snapshotter;

    public SnapshotService(DatabaseResolver resolver, Snapshotter snapshotter) {
        this.resolver = resolver;
        this.snapshotter = snapshotter;
    }

    public Round runOnce() throws InterruptedException {
        return runOnce(db -> true);
    }

    /** Snapshots the present databases that {@code which} accepts. */
    public Round runOnce(Predicate<Database> which) throws InterruptedException {
        List<SnapshotResult> results = new ArrayList<>();
        Map<String, Exception> failures = new LinkedHashMap<>();
        List<Database> databases;
        try {
            databases = resolver.present().stream().filter(which).toList();
        } catch (IOException e) {
            LOG.error("event=snapshot.failed error={}", Kv.quote("listing databases: " + e));
            failures.put("*", e);
            return new Round(results, failures);
        }
        if (databases.isEmpty()) {
            LOG.warn("event=snapshot.no_databases reason=\"no configured database file exists\"");
        }
        for (Database db : databases) {
            try {
                SnapshotResult r = snapshotter.snapshot(db);
                results.add(r);
                log(r);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failures.put(db.name(), e);
                LOG.error("event=snapshot.failed database={} path={} error={}", db.name(), db.path(),
                        Kv.quote(e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return new Round(results, failures);
    }

    private static void log(SnapshotResult r) {
        switch (r.outcome()) {
            case UPLOADED -> LOG.info("event=snapshot.uploaded database={} version={} bytes={} stored_bytes={}"
                            + " duration_ms={} {}", r.database().name(), r.version().orElse("-"), r.sizeBytes(),
                    r.storedBytes(), r.took().toMillis(), r.phases());
            case UNCHANGED -> LOG.info("event=snapshot.unchanged database={} version={} bytes={} duration_ms={}",
                    r.database().name(), r.version().orElse("-"), r.sizeBytes(), r.took().toMillis());
            case UNCHANGED_ON_SERVER -> LOG.info("event=snapshot.unchanged database={} version={} bytes={}"
                            + " source=server duration_ms={}", r.database().name(), r.version().orElse("-"),
                    r.sizeBytes(), r.took().toMillis());
        }
    }
}
