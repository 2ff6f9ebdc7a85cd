package dev.cellar.server.status;

import dev.cellar.server.alert.StatusWatch;
import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.jobs.JobReports;
import dev.cellar.server.jobs.NightlyJob;
import dev.cellar.server.tenant.TenantWalk;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly stale detection: walks the fleet one tenant at a time through the {@link StatusWatch} (which records
 * each status change and sends its alert, once across instances), logs every stale database as a warning and
 * counts the statuses. Any number of instances may run it at once.
 */
public final class StaleJob implements NightlyJob {
    private static final Logger log = LoggerFactory.getLogger(StaleJob.class);
    private final TenantWalk tenants;
    private final StatusWatch watch;

    public StaleJob(TenantWalk tenants, StatusWatch watch) {
        this.tenants = tenants;
        this.watch = watch;
    }

    @Override
    public String name() {
        return "stale";
    }

    @Override
    public JobReport runOnce() {
        JobReports report = new JobReports("databases", DatabaseStatus.OK, DatabaseStatus.STALE,
                DatabaseStatus.FAILING, DatabaseStatus.NEVER);
        tenants.forEach(tenant -> {
            try {
                for (Map.Entry<String, DatabaseStatus> e : watch.evaluate(tenant).entrySet()) {
                    String database = e.getKey();
                    DatabaseStatus s = e.getValue();
                    report.add("databases", 1);
                    report.add(s.status(), 1);
                    if (DatabaseStatus.STALE.equals(s.status())) {
                        log.warn("event=backup.stale tenant={} database={} lastBackupAt={} reason=\"{}\"", tenant,
                                database, s.lastBackupAt(), s.reason());
                    } else if (DatabaseStatus.FAILING.equals(s.status())) {
                        log.error("event=backup.failing tenant={} database={} reason=\"{}\"", tenant, database,
                                s.reason());
                    }
                }
            } catch (RuntimeException e) {
                log.warn("event=stale.tenant_failed tenant={} error=\"{}\"", tenant, e.getMessage());
                report.error(tenant + ": " + e.getMessage());
            }
        });
        return report.build();
    }
}
