package dev.cellar.server.housekeeping;

import dev.cellar.server.jobs.JobReport;
import dev.cellar.server.jobs.JobReports;
import dev.cellar.server.jobs.NightlyJob;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantWalk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly clean-up: discards staged uploads abandoned for a day, removes restore requests that finished a month
 * ago and machines silent for a month, removes snapshot data whose upload never wrote its index marker, and lists
 * (never deletes) the other objects no catalog entry explains. Every step is
 * an idempotent delete or a read, so two instances may run it at once.
 */
public final class HousekeepingJob implements NightlyJob {
    static final Duration STAGED_MAX_AGE = Duration.ofHours(24);
    static final Duration FINISHED_REQUEST_MAX_AGE = Duration.ofDays(30);
    static final Duration SILENT_MACHINE_MAX_AGE = Duration.ofDays(30);
    private static final Logger log = LoggerFactory.getLogger(HousekeepingJob.class);
    private final BlobStore store;
    private final TenantWalk tenants;
    private final RestoreRequests restores;
    private final MachineRegistry machines;
    private final Clock clock;

    public HousekeepingJob(BlobStore store, TenantWalk tenants, RestoreRequests restores, MachineRegistry machines,
                           Clock clock) {
        this.store = store;
        this.tenants = tenants;
        this.restores = restores;
        this.machines = machines;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "housekeeping";
    }

    @Override
    public JobReport runOnce() {
        JobReports report = new JobReports("stagedUploadsDiscarded", "restoreRequestsRemoved", "machinesRemoved",
                "objectsScanned", "unexplainedObjects");
        Instant now = clock.instant();
        try {
            int staged = store.discardStagedBefore(now.minus(STAGED_MAX_AGE));
            report.add("stagedUploadsDiscarded", staged);
            if (staged > 0) {
                log.info("event=housekeeping.staged_discarded count={}", staged);
            }
        } catch (RuntimeException e) {
            report.error("staged uploads: " + e.getMessage());
        }
        tenants.forEach(tenant -> {
            try {
                int requests = restores.removeFinishedBefore(tenant, now.minus(FINISHED_REQUEST_MAX_AGE));
                int silent = machines.removeSilentBefore(tenant, now.minus(SILENT_MACHINE_MAX_AGE));
                report.add("restoreRequestsRemoved", requests);
                report.add("machinesRemoved", silent);
                if (requests + silent > 0) {
                    log.info("event=housekeeping.tenant tenant={} restoreRequestsRemoved={} machinesRemoved={}",
                            tenant, requests, silent);
                }
            } catch (RuntimeException e) {
                report.error(tenant + ": " + e.getMessage());
            }
        });
        try {
            OrphanScan.Result scan = OrphanScan.run(store, now);
            report.add("objectsScanned", scan.scanned());
            report.add("unexplainedObjects", scan.unexplained());
            report.add("dataWithoutMarker", scan.dataWithoutMarker());
            report.add("markerWithoutData", scan.markerWithoutData());
            report.add("unknownKeys", scan.unknown());
            report.add("uncommittedDataRemoved", scan.uncommittedDataRemoved());
        } catch (RuntimeException e) {
            report.error("object scan: " + e.getMessage());
        }
        return report.build();
    }
}
