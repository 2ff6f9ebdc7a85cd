package dev.cellar.server.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.DatabaseStatus;
import dev.cellar.server.storage.BlobStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that notices status transitions: it computes a tenant's statuses ({@link BackupStatus}), compares
 * each database's with the last one recorded in the bucket, records a change ({@link TransitionLog}, once across
 * instances) and hands the ones worth telling to {@link Alerts}. The nightly stale job calls {@link #evaluate};
 * heartbeats and drill verdicts call {@link #soon}, which evaluates on a background thread so no request waits.
 */
public final class StatusWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusWatch.class);
    private final SnapshotCatalog catalog;
    private final MachineRegistry machines;
    private final BackupStatus status;
    private final TransitionLog transitions;
    private final Alerts alerts;
    private final Clock clock;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "status-watch");
        t.setDaemon(true);
        return t;
    });

    public StatusWatch(BlobStore store, ObjectMapper json, SnapshotCatalog catalog, MachineRegistry machines,
                       BackupStatus status, Alerts alerts, Clock clock) {
        this.catalog = catalog;
        this.machines = machines;
        this.status = status;
        this.transitions = new TransitionLog(store, json);
        this.alerts = alerts;
        this.clock = clock;
    }

    /**
     * Evaluates {@code tenant} soon, on the watch's own thread. A tenant already waiting is not queued twice, so
     * the queue never holds more than the fleet.
     */
    public void soon(String tenant) {
        if (queued.add(tenant)) {
            background.execute(() -> {
                queued.remove(tenant);
                try {
                    evaluate(tenant);
                } catch (RuntimeException e) {
                    log.warn("event=status.evaluation_failed tenant={} error=\"{}\"", tenant, e.getMessage());
                }
            });
        }
    }

    /** Every database's status now, after recording (and alerting) each change. */
    public Map<String, DatabaseStatus> evaluate(String tenant) {
        List<MachineRecord> seen = machines.list(tenant);
        Map<String, DatabaseStatus> out = new LinkedHashMap<>();
        for (String database : catalog.databases(tenant)) {
            DatabaseStatus now = status.of(tenant, database, catalog.latest(tenant, database).orElse(null), seen);
            out.put(database, now);
            observe(tenant, database, now);
        }
        return out;
    }

    private void observe(String tenant, String database, DatabaseStatus now) {
        Optional<TransitionLog.Entry> last = transitions.latest(tenant, database);
        String from = last.map(e -> e.transition().to()).orElse(DatabaseStatus.NEVER);
        if (from.equals(now.status())) {
            return;
        }
        Transition t = new Transition(tenant, database, from, now.status(), now.reason(), clock.instant());
        long number = last.map(TransitionLog.Entry::number).orElse(0L) + 1;
        if (!transitions.append(number, t)) {
            log.info("event=status.transition_recorded_elsewhere tenant={} database={} to={}", tenant, database,
                    now.status());
            return;
        }
        log.info("event=status.transition tenant={} database={} from={} to={} number={}", tenant, database, from,
                now.status(), number);
        if (t.alerting()) {
            alerts.send(t);
        }
    }

    @Override
    public void close() {
        background.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        background.shutdownNow();
    }
}
