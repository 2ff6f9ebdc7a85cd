package dev.cellar.agent.snapshot;

import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots every configured database that exists, up to {@code concurrency} of them at a time (each database only
 * once at a time: {@link Snapshotter#snapshot}); one database failing does not keep the others from being backed
 * up. The databases are looked up anew each round, so a file that appeared since the last one is included. This is
 * what the schedule, the shutdown snapshot and {@code cellar-agent backup} run.
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
    private final int concurrency;
    private final AtomicInteger threads = new AtomicInteger();
    private final DatabaseHealth health;
    private final Consumer<Round> observer;

    public SnapshotService(DatabaseResolver resolver, Snapshotter snapshotter, int concurrency) {
        this(resolver, snapshotter, concurrency, new DatabaseHealth(java.time.Clock.systemUTC()), round -> { });
    }

    /**
     * @param health   told every database's outcome, for the heartbeats
     * @param observer told of every round once it has ended (the metrics)
     */
    public SnapshotService(DatabaseResolver resolver, Snapshotter snapshotter, int concurrency,
                           DatabaseHealth health, Consumer<Round> observer) {
        this.health = health;
        this.observer = observer;
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.resolver = resolver;
        this.snapshotter = snapshotter;
        this.concurrency = concurrency;
    }

    public Round runOnce() throws InterruptedException {
        return runOnce(db -> true);
    }

    /** Snapshots the present databases that {@code which} accepts. */
    public Round runOnce(Predicate<Database> which) throws InterruptedException {
        Round round = round(which);
        observer.accept(round);
        return round;
    }

    private Round round(Predicate<Database> which) throws InterruptedException {
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
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(concurrency, databases.size())), r -> {
            Thread t = new Thread(r, "cellar-snapshot-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<SnapshotResult>> running = new ArrayList<>();
            for (Database db : databases) {
                running.add(pool.submit(() -> snapshotter.snapshot(db)));
            }
            for (int i = 0; i < databases.size(); i++) {
                Database db = databases.get(i);
                try {
                    SnapshotResult r = running.get(i).get();
                    results.add(r);
                    health.succeeded(r);
                    log(r);
                } catch (ExecutionException wrapped) {
                    Throwable cause = wrapped.getCause();
                    Exception e = cause instanceof Exception ex ? ex : new IllegalStateException(cause);
                    failures.put(db.name(), e);
                    health.failed(db, e);
                    LOG.error("event=snapshot.failed database={} path={} error={}", db.name(), db.path(),
                            Kv.quote(e.getMessage() == null ? e.toString() : e.getMessage()));
                }
            }
        } finally {
            pool.shutdownNow(); // after an interrupt: stop the snapshots still running or waiting
        }
        return new Round(results, failures);
    }

    static void log(SnapshotResult r) {
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
