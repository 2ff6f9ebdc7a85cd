package dev.cellar.server.retention;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.jobs.NightlyJob;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotPins;
import dev.cellar.server.snapshot.Verifications;
import dev.cellar.server.tenant.TenantWalk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each tenant's retention policy to each of its databases, one database and one page of its history at a
 * time (memory grows with one database's survivors, never with the fleet). Never deleted: the newest snapshot of a
 * database, its newest snapshot that passed a drill, and any snapshot an open restore request pins. Deletion goes
 * through {@link SnapshotCatalog#forget}, so two instances running retention at once delete the same snapshots and
 * end in the same state.
 */
public final class RetentionRun implements NightlyJob {
    private static final Logger log = LoggerFactory.getLogger(RetentionRun.class);
    private static final int MAX_ERRORS = 20;
    private static final int PAGE = 1000;
    static final String NEWEST = "newest snapshot";
    static final String VERIFIED = "newest verified snapshot";
    static final String PINNED = "pinned by a restore request";
    private final TenantWalk tenants;
    private final SnapshotCatalog catalog;
    private final RetentionPolicies policies;
    private final SnapshotPins pins;

    /** A survivor and every rule that keeps it. */
    public record Kept(String version, List<String> reasons) {
    }

    /** What retention did (or, on a dry run, would do) to one database; {@code error} when it could not run. */
    public record DatabaseOutcome(String tenant, String database, RetentionPolicy policy, String policySource,
                                  List<String> deleted, List<Kept> kept, String error) {
    }

    public RetentionRun(TenantWalk tenants, SnapshotCatalog catalog, RetentionPolicies policies,
                        SnapshotPins pins) {
        this.tenants = tenants;
        this.catalog = catalog;
        this.policies = policies;
        this.pins = pins;
    }

    @Override
    public String name() {
        return "retention";
    }

    @Override
    public JobReport runOnce() {
        return run(null, false, outcome -> { });
    }

    /**
     * Runs over every tenant, or only {@code onlyTenant}, handing each database's outcome to {@code sink} as soon
     * as it is done.
     */
    public JobReport run(String onlyTenant, boolean dryRun, Consumer<DatabaseOutcome> sink) {
        long tenantCount = 0;
        long databases = 0;
        long kept = 0;
        long deleted = 0;
        List<String> errors = new ArrayList<>();
        for (String tenant : onlyTenant == null ? tenants.all() : List.of(onlyTenant)) {
            tenantCount++;
            RetentionPolicies.Effective effective;
            List<String> names;
            try {
                effective = policies.effective(tenant);
                names = catalog.databases(tenant);
            } catch (RuntimeException e) {
                fail(errors, "tenant " + tenant + ": " + e.getMessage());
                log.error("event=retention.failed tenant={} cause=\"{}\"", tenant, e.getMessage());
                continue;
            }
            for (String database : names) {
                databases++;
                DatabaseOutcome outcome = database(tenant, database, effective, dryRun);
                if (outcome.error() != null) {
                    fail(errors, tenant + "/" + database + ": " + outcome.error());
                }
                kept += outcome.kept().size();
                deleted += outcome.deleted().size();
                sink.accept(outcome);
            }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("tenants", tenantCount);
        counts.put("databases", databases);
        counts.put("kept", kept);
        counts.put(dryRun ? "wouldDelete" : "deleted", deleted);
        return new JobReport(counts, errors);
    }

    private DatabaseOutcome database(String tenant, String database, RetentionPolicies.Effective effective,
                                     boolean dryRun) {
        List<String> deleted = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        String error = null;
        try {
            Verifications verifications = catalog.verifications();
            String verified = verifications.newestVerified(tenant, database, v -> catalog.find(tenant, database,
                            SnapshotVersion.parse(v.version()).orElseThrow()).isPresent())
                    .map(Verifications.Verdict::version).orElse(null);
            Set<String> pinned = pins.pinnedVersions(tenant, database);
            Forget forget = new Forget(effective.policy());
            SnapshotVersion before = null;
            boolean newest = true;
            do {
                SnapshotCatalog.Page page = catalog.list(tenant, database, PAGE, before);
                List<Snapshot> doomed = new ArrayList<>();
                for (int i = 0; i < page.snapshots().size(); i++) {
                    Snapshot s = page.snapshots().get(i);
                    List<String> protections = new ArrayList<>();
                    if (newest) {
                        protections.add(NEWEST);
                        newest = false;
                    }
                    if (s.version().equals(verified)) {
                        protections.add(VERIFIED);
                    }
                    if (pinned.contains(s.version())) {
                        protections.add(PINNED);
                    }
                    boolean oldest = page.next() == null && i == page.snapshots().size() - 1;
                    Forget.Verdict verdict = forget.next(s.createdAt(), oldest, protections);
                    if (verdict.keep()) {
                        kept.add(new Kept(s.version(), verdict.reasons()));
                    } else {
                        doomed.add(s);
                    }
                }
                delete(tenant, database, doomed, dryRun, deleted, kept);
                before = page.next() == null ? null : SnapshotVersion.parse(page.next()).orElseThrow();
            } while (before != null);
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.error("event=retention.failed tenant={} database={} deleted={} cause=\"{}\"", tenant, database,
                    deleted.size(), error);
        }
        log.info("event=retention.database tenant={} database={} policy={} dryRun={} kept={} deleted={}", tenant,
                database, effective.source(), dryRun, kept.size(), deleted.size());
        return new DatabaseOutcome(tenant, database, effective.policy(), effective.source(), deleted, kept, error);
    }

    /** Deletes a page's doomed snapshots, re-reading the pins first: a restore requested meanwhile wins. */
    private void delete(String tenant, String database, List<Snapshot> doomed, boolean dryRun, List<String> deleted,
                        List<Kept> kept) {
        if (doomed.isEmpty()) {
            return;
        }
        Set<String> pinnedNow = dryRun ? Set.of() : pins.pinnedVersions(tenant, database);
        for (Snapshot s : doomed) {
            if (pinnedNow.contains(s.version())) {
                kept.add(new Kept(s.version(), List.of(PINNED)));
                continue;
            }
            if (!dryRun) {
                catalog.forget(s);
                log.info("event=retention.deleted tenant={} database={} version={}", tenant, database, s.version());
            }
            deleted.add(s.version());
        }
    }

    private static void fail(List<String> errors, String line) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(line);
        }
    }
}
