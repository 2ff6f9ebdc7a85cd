package dev.cellar.server.drill;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.jobs.NightlyJob;
import dev.cellar.server.metrics.Metrics;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.Verifications;
import dev.cellar.server.tenant.TenantWalk;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore drills over the fleet: for each database whose newest snapshot has no passing verdict yet, a
 * {@link Drill}, and its verdict recorded beside the snapshot. Tenants and databases are walked one at a time and
 * at most {@code concurrency} drills run at once; the walk waits for a free slot, so work never piles up in a queue.
 * A failed drill deletes nothing: it is logged as an error and recorded, and {@link Verifications#latest} shows it.
 * A newest snapshot whose last verdict was a failure is drilled again, so a failure caused by something passing
 * (a store hiccup that still looked like bad data) clears itself, and a real one stays failed.
 */
public final class DrillRun implements NightlyJob {
    private static final Logger log = LoggerFactory.getLogger(DrillRun.class);
    private static final int MAX_ERRORS = 20;
    private final TenantWalk tenants;
    private final SnapshotCatalog catalog;
    private final Drill drill;
    private final int concurrency;
    private final Clock clock;
    private final Consumer<String> verdictRecorded;
    private final Metrics metrics;

    /** One drill done: {@code verification} is {@code ok}, the failure, or null when the drill could not run. */
    public record Result(String tenant, String database, String version, Instant verifiedAt, String verification,
                         String notRun) {
    }

    public DrillRun(TenantWalk tenants, SnapshotCatalog catalog, Drill drill, int concurrency, Clock clock) {
        this(tenants, catalog, drill, concurrency, clock, tenant -> { }, Metrics.NONE);
    }

    /** @param verdictRecorded told the tenant after each recorded verdict (status transitions are evaluated there) */
    public DrillRun(TenantWalk tenants, SnapshotCatalog catalog, Drill drill, int concurrency, Clock clock,
                    Consumer<String> verdictRecorded, Metrics metrics) {
        this.verdictRecorded = verdictRecorded;
        this.metrics = metrics;
        this.tenants = tenants;
        this.catalog = catalog;
        this.drill = drill;
        this.concurrency = concurrency;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "drills";
    }

    @Override
    public JobReport runOnce() {
        return run(null, result -> { });
    }

    /** Drills every tenant's databases, or only {@code onlyTenant}'s; {@code sink} gets each result as it ends. */
    public JobReport run(String onlyTenant, Consumer<Result> sink) {
        AtomicLong databases = new AtomicLong();
        AtomicLong upToDate = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong notRun = new AtomicLong();
        List<String> errors = new ArrayList<>();
        Semaphore slots = new Semaphore(concurrency);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "drill");
            t.setDaemon(true);
            return t;
        });
        try {
            for (String tenant : onlyTenant == null ? tenants.all() : List.of(onlyTenant)) {
                List<String> names;
                try {
                    names = catalog.databases(tenant);
                } catch (RuntimeException e) {
                    error(errors, "tenant " + tenant + ": " + e.getMessage());
                    continue;
                }
                for (String database : names) {
                    databases.incrementAndGet();
                    Optional<Snapshot> newest;
                    try {
                        newest = catalog.latest(tenant, database)
                                .filter(s -> catalog.verifications().of(tenant, database, s)
                                        .filter(Verifications.Verdict::ok).isEmpty());
                    } catch (RuntimeException e) {
                        error(errors, tenant + "/" + database + ": " + e.getMessage());
                        continue;
                    }
                    if (newest.isEmpty()) {
                        upToDate.incrementAndGet();
                        continue;
                    }
                    slots.acquireUninterruptibly();
                    pool.execute(() -> {
                        try {
                            Result r = drillOne(newest.get());
                            metrics.drilled(r);
                            if (r.notRun() != null) {
                                notRun.incrementAndGet();
                                error(errors, tenant + "/" + database + ": " + r.notRun());
                            } else if (Verifications.OK.equals(r.verification())) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                error(errors, tenant + "/" + database + " " + r.version() + ": " + r.verification());
                            }
                            synchronized (sink) {
                                sink.accept(r);
                            }
                        } finally {
                            slots.release();
                        }
                    });
                }
            }
        } finally {
            pool.shutdown();
            slots.acquireUninterruptibly(concurrency); // every drill has ended and released its slot
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("databases", databases.get());
        counts.put("upToDate", upToDate.get());
        counts.put("ok", ok.get());
        counts.put("failed", failed.get());
        counts.put("notRun", notRun.get());
        return new JobReport(counts, errors);
    }

    private Result drillOne(Snapshot s) {
        long started = System.nanoTime();
        try {
            String verification = drill.check(s);
            if (!Verifications.OK.equals(verification) && catalog.find(s.tenant(), s.database(),
                    SnapshotVersion.parse(s.version()).orElseThrow()).isEmpty()) {
                // deleted while it was drilled (an admin, or retention after a newer upload): no verdict to keep
                return new Result(s.tenant(), s.database(), s.version(), null, null, "deleted while drilled");
            }
            Verifications.Verdict v = catalog.verifications().record(s, clock.instant(), verification);
            verdictRecorded.accept(s.tenant());
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (v.ok()) {
                log.info("event=drill.ok tenant={} database={} version={} sizeBytes={} ms={}", s.tenant(),
                        s.database(), s.version(), s.sizeBytes(), ms);
            } else {
                log.error("event=drill.failed tenant={} database={} version={} ms={} verification=\"{}\"",
                        s.tenant(), s.database(), s.version(), ms, verification);
            }
            return new Result(s.tenant(), s.database(), s.version(), v.verifiedAt(), v.verification(), null);
        } catch (RuntimeException e) {
            // Drill.NotRun, or the store unreachable: neither good nor bad, so nothing is recorded
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.warn("event=drill.not_run tenant={} database={} version={} cause=\"{}\"", s.tenant(), s.database(),
                    s.version(), why);
            return new Result(s.tenant(), s.database(), s.version(), null, null, why);
        }
    }

    private static void error(List<String> errors, String line) {
        synchronized (errors) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(line);
            }
        }
    }
}
