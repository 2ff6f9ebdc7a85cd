package dev.cellar.server.tenant;

import dev.cellar.server.machine.DatabaseReport;
import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.machine.SkippedVersion;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.DatabaseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What the overview shows of a tenant, assembled from the bucket: its databases, machines and warnings. */
public final class TenantOverview {
    private final TenantRegistry tenants;
    private final SnapshotCatalog catalog;
    private final MachineRegistry machines;
    private final Duration forkWindow;
    private final Clock clock;
    private final BackupStatus status;

    /**
     * One database of a tenant: its newest snapshot (null when it has none) and its status ({@code never},
     * {@code ok}, {@code stale}, {@code failing}) with the last upload or "unchanged" confirmation and, unless ok,
     * the reason.
     */
    public record DatabaseSummary(String database, Snapshot latest, String status, Instant lastBackupAt,
                                  String reason) {
    }

    /**
     * A machine seen by heartbeat or by upload; fields it never reported are null. {@code lastSeenAt} is its last
     * heartbeat; {@code stoppedOnPurpose} says that heartbeat was the agent's final one at shutdown;
     * {@code databases} what its agent last reported of each database; {@code skippedVersions} the versions its
     * agent's boot restores passed over, as its last heartbeat reported them.
     */
    public record MachineSummary(String machineId, String region, String agentVersion, Instant lastSeenAt,
                                 Instant lastUploadAt, boolean stoppedOnPurpose, List<DatabaseReport> databases,
                                 List<SkippedVersion> skippedVersions) {
    }

    /**
     * One tenant. {@code status} is its worst database's ({@code never} when none has a snapshot yet, {@code ok},
     * {@code stale}, {@code failing}) and {@code reason} that database's reason, named; {@code machines} are those
     * that sent a heartbeat or uploaded within the fork window; {@code warnings} such as {@code forked_history}.
     */
    public record TenantSummary(String tenant, Instant createdAt, String status, String reason, Instant lastSnapshotAt,
                                Instant lastHeartbeatAt, List<MachineSummary> machines,
                                List<ForkCheck.Warning> warnings, List<DatabaseSummary> databases) {
    }

    public TenantOverview(TenantRegistry tenants, SnapshotCatalog catalog, MachineRegistry machines,
                          Duration forkWindow, Clock clock, BackupStatus status) {
        this.status = status;
        this.tenants = tenants;
        this.catalog = catalog;
        this.machines = machines;
        this.forkWindow = forkWindow;
        this.clock = clock;
    }

    public Optional<TenantSummary> summary(String tenant) {
        Optional<TenantRecord> record = tenants.find(tenant);
        Instant windowStart = clock.instant().minus(forkWindow);
        List<DatabaseSummary> databases = new ArrayList<>();
        List<DatabaseStatus> statuses = new ArrayList<>();
        List<Snapshot> recent = new ArrayList<>();
        Instant last = null;
        List<Snapshot> latestOfEach = new ArrayList<>();
        List<MachineRecord> seen = machines.list(tenant);
        String reason = null;
        String worst = null;
        for (String database : catalog.databases(tenant)) {
            // newest first: an active database's latest snapshot is the first of the window's, at no extra request
            List<Snapshot> inWindow = catalog.since(tenant, database, windowStart);
            recent.addAll(inWindow);
            Snapshot latest = inWindow.isEmpty() ? catalog.latest(tenant, database).orElse(null) : inWindow.get(0);
            DatabaseStatus s = status.of(tenant, database, latest, seen);
            statuses.add(s);
            if (s.reason() != null && (worst == null || BackupStatus.compare(s.status(), worst) > 0)) {
                worst = s.status();
                reason = database + ": " + s.reason();
            }
            databases.add(new DatabaseSummary(database, latest, s.status(), s.lastBackupAt(), s.reason()));
            if (latest != null) {
                last = later(last, latest.createdAt());
                latestOfEach.add(latest);
            }
        }
        if (record.isEmpty() && databases.isEmpty()) {
            return Optional.empty();
        }
        Instant lastHeartbeat = seen.stream().map(MachineRecord::lastSeenAt).reduce(null, TenantOverview::later);
        List<Snapshot> uploads = new ArrayList<>(recent);
        uploads.addAll(latestOfEach); // machines whose last upload is older than the window still show
        String tenantStatus = BackupStatus.worst(statuses);
        return Optional.of(new TenantSummary(tenant, record.map(TenantRecord::createdAt).orElse(null),
                tenantStatus, tenantStatus.equals(worst) ? reason : null, last, lastHeartbeat, machines(seen, uploads),
                ForkCheck.check(recent), databases));
    }

    private static List<MachineSummary> machines(List<MachineRecord> seen, List<Snapshot> uploads) {
        Map<String, MachineSummary> byId = new TreeMap<>();
        for (MachineRecord m : seen) {
            byId.put(m.machineId(), new MachineSummary(m.machineId(), m.region(), m.agentVersion(), m.lastSeenAt(),
                    null, m.stoppedOnPurpose(), m.databases(), m.skippedVersions()));
        }
        for (Snapshot s : uploads) {
            if (s.machineId() != null) {
                MachineSummary m = byId.getOrDefault(s.machineId(),
                        new MachineSummary(s.machineId(), null, null, null, null, false, List.of(), List.of()));
                byId.put(s.machineId(), new MachineSummary(m.machineId(), m.region(), m.agentVersion(),
                        m.lastSeenAt(), later(m.lastUploadAt(), s.createdAt()), m.stoppedOnPurpose(), m.databases(),
                        m.skippedVersions()));
            }
        }
        return List.copyOf(byId.values());
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }
}
