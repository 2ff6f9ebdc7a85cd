package dev.cellar.server.metrics;

import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.DatabaseStatus;
import dev.cellar.server.tenant.TenantWalk;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Databases by status and the age of the oldest last backup, for the fleet. Finding them walks the whole bucket (a
 * few requests per database), so a scrape never does it: a scrape that finds the figures older than
 * {@code BACKUP_METRICS_FLEET_TTL} starts one walk in the background and is answered with the figures it has. One
 * walk at a time; none at all while nobody scrapes. The age gauges grow between walks, so they err on the old side.
 */
final class FleetGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetGauges.class);
    private static final List<String> STATUSES = List.of(DatabaseStatus.OK, DatabaseStatus.STALE,
            DatabaseStatus.FAILING, DatabaseStatus.NEVER);
    private final TenantWalk tenants;
    private final SnapshotCatalog catalog;
    private final BackupStatus status;
    private final Duration ttl;
    private final Clock clock;
    private final boolean perTenant;
    private final MultiGauge databases;
    private final AtomicBoolean walking = new AtomicBoolean();
    private final ExecutorService walker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metrics-fleet-walk");
        t.setDaemon(true);
        return t;
    });
    private volatile Figures figures;

    /**
     * One walk's result.
     *
     * @param counts      databases per status, and per tenant when the tenant label is on ({@code tenant → status →
     *                    count}; the key {@code ""} when it is off)
     * @param oldestBackup the oldest of the databases' last backups; null when no database has one
     */
    record Figures(Instant at, Map<String, Map<String, Long>> counts, Instant oldestBackup) {
    }

    FleetGauges(TenantWalk tenants, SnapshotCatalog catalog, BackupStatus status, MeterRegistry registry,
                MetricsSettings settings, Clock clock) {
        this.tenants = tenants;
        this.catalog = catalog;
        this.status = status;
        this.ttl = settings.fleetTtl();
        this.perTenant = settings.perTenant();
        this.clock = clock;
        this.databases = MultiGauge.builder("cellar.databases")
                .description("databases by backup status (ok, stale, failing, never), as of the last fleet walk")
                .register(registry);
        Gauge.builder("cellar.oldest.backup.age.seconds", this, g -> g.secondsSince(g.oldest()))
                .description("age of the oldest last successful backup over all databases; NaN before the first"
                        + " walk or without any backup").register(registry);
        Gauge.builder("cellar.fleet.walk.age.seconds", this, g -> g.secondsSince(g.figures == null ? null
                        : g.figures.at()))
                .description("how old the fleet figures are; NaN before the first walk").register(registry);
    }

    /** Called by every scrape: starts a walk in the background when the figures are missing or too old. */
    void refreshIfDue() {
        Figures f = figures;
        if (f != null && Duration.between(f.at(), clock.instant()).compareTo(ttl) < 0) {
            return;
        }
        if (walking.compareAndSet(false, true)) {
            try {
                walker.execute(this::walkAndPublish);
            } catch (RuntimeException e) { // closed meanwhile
                walking.set(false);
            }
        }
    }

    private void walkAndPublish() {
        long started = System.nanoTime();
        try {
            Figures f = walk();
            figures = f;
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            f.counts().forEach((tenant, byStatus) -> byStatus.forEach((s, n) -> rows.add(MultiGauge.Row.of(
                    perTenant ? Tags.of("tenant", tenant, "status", s) : Tags.of("status", s), n))));
            databases.register(rows, true);
            log.info("event=metrics.fleet_walked tenants={} ms={}", f.counts().size(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            // the previous figures stay, and cellar_fleet_walk_age_seconds shows that they are getting old
            log.warn("event=metrics.fleet_walk_failed error=\"{}\"", e.getMessage());
        } finally {
            walking.set(false);
        }
    }

    /** One pass over the fleet, one tenant at a time, through the same status rules as the API and the stale job. */
    Figures walk() {
        Instant at = clock.instant();
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        if (!perTenant) {
            counts.put("", zeros());
        }
        Instant oldest = null;
        for (String tenant : tenants.all()) {
            Map<String, Long> mine = counts.computeIfAbsent(perTenant ? tenant : "", t -> new TreeMap<>());
            for (String database : catalog.databases(tenant)) {
                DatabaseStatus s = status.of(tenant, database);
                mine.merge(s.status(), 1L, Long::sum);
                if (s.lastBackupAt() != null && (oldest == null || s.lastBackupAt().isBefore(oldest))) {
                    oldest = s.lastBackupAt();
                }
            }
        }
        return new Figures(at, counts, oldest);
    }

    private static Map<String, Long> zeros() {
        Map<String, Long> m = new TreeMap<>();
        STATUSES.forEach(s -> m.put(s, 0L));
        return m;
    }

    private Instant oldest() {
        Figures f = figures;
        return f == null ? null : f.oldestBackup();
    }

    /** Never negative: the wall clock may step back a little between a walk and a scrape (NTP on a VM). */
    private double secondsSince(Instant then) {
        return then == null ? Double.NaN : Math.max(0, Duration.between(then, clock.instant()).toMillis()) / 1000.0;
    }

    @Override
    public void close() {
        walker.shutdownNow();
    }
}
