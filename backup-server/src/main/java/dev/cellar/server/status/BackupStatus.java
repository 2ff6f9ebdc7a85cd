package dev.cellar.server.status;

import dev.cellar.server.machine.DatabaseReport;
import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.snapshot.Verifications;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The one place that decides a database's status from the bucket; the tenant views, the admin page, the nightly
 * stale job and the alerts all ask it. Rules, most serious first:
 * <ul>
 * <li>{@code failing} when the newest snapshot failed its restore drill (it may not restore), or when an agent has
 *     reported {@value #REPEATED} or more failed snapshots of it in a row, the last one after every success;</li>
 * <li>{@code never} without any snapshot;</li>
 * <li>{@code stale} when neither an upload, an "unchanged" confirmation nor an agent's report of a successful or
 *     unchanged snapshot is newer than {@code BACKUP_STALE_AFTER} — unless the machine that reported it last
 *     stopped on purpose (its final heartbeat) while the database was not stale yet: a stopped machine has nothing
 *     to back up;</li>
 * <li>otherwise {@code ok}.</li>
 * </ul>
 */
public final class BackupStatus {
    /** How many failed attempts in a row, as the agent reports them, make a database failing. */
    public static final int REPEATED = 3;
    /** Least serious first: a tenant is as bad as its worst database. */
    private static final List<String> SEVERITY = List.of(DatabaseStatus.NEVER, DatabaseStatus.OK,
            DatabaseStatus.STALE, DatabaseStatus.FAILING);
    private final SnapshotCatalog catalog;
    private final UploadConfirmations confirmations;
    private final MachineRegistry machines;
    private final Duration staleAfter;
    private final Clock clock;

    public BackupStatus(SnapshotCatalog catalog, UploadConfirmations confirmations, MachineRegistry machines,
                        Duration staleAfter, Clock clock) {
        this.catalog = catalog;
        this.confirmations = confirmations;
        this.machines = machines;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    public DatabaseStatus of(String tenant, String database) {
        return of(tenant, database, catalog.latest(tenant, database).orElse(null), machines.list(tenant));
    }

    /**
     * @param latest   the database's newest snapshot when the caller has it already, or null when there is none
     * @param machines the tenant's machine records ({@link MachineRegistry#list}), read once per tenant
     */
    public DatabaseStatus of(String tenant, String database, Snapshot latest, List<MachineRecord> machines) {
        Optional<Reported> failing = machines.stream()
                .flatMap(m -> m.report(database).map(r -> new Reported(m, r)).stream())
                .filter(r -> r.report().failingSinceSuccess() && r.report().failures() >= REPEATED)
                .max(Comparator.comparing(r -> r.report().lastErrorAt()));
        Instant last = latest == null ? null : latest.createdAt();
        if (latest != null) {
            last = later(last, confirmations.last(tenant, database).map(UploadConfirmations.Confirmation::at)
                    .orElse(null));
        }
        for (MachineRecord m : machines) {
            Instant reported = m.report(database).map(DatabaseReport::lastBackupAt).orElse(null);
            if (latest != null && reported != null) {
                last = later(last, reported.isAfter(m.lastSeenAt()) ? m.lastSeenAt() : reported);
            }
        }
        if (latest != null) {
            Optional<Verifications.Verdict> drill = catalog.verifications().of(tenant, database, latest);
            if (drill.isPresent() && !drill.get().ok()) {
                return new DatabaseStatus(DatabaseStatus.FAILING, last, "newest snapshot " + latest.version()
                        + " failed its restore drill at " + drill.get().verifiedAt() + ": "
                        + drill.get().verification());
            }
        }
        if (failing.isPresent() && (last == null || failing.get().report().lastErrorAt().isAfter(last))) {
            DatabaseReport r = failing.get().report();
            return new DatabaseStatus(DatabaseStatus.FAILING, last, "machine " + failing.get().machine().machineId()
                    + " reported " + r.failures() + " failed backups in a row"
                    + (last == null ? "" : " since the last success at " + last) + "; the last at "
                    + r.lastErrorAt() + ": " + r.lastError());
        }
        if (latest == null) {
            return new DatabaseStatus(DatabaseStatus.NEVER, null, "no snapshot stored yet");
        }
        Instant now = clock.instant();
        Duration ago = Duration.between(last, now);
        if (ago.compareTo(staleAfter) > 0 && !stoppedInTime(database, machines, last)) {
            return new DatabaseStatus(DatabaseStatus.STALE, last, "last backup at " + last + ", " + words(ago)
                    + " ago; expected within " + words(staleAfter) + " (BACKUP_STALE_AFTER)");
        }
        return new DatabaseStatus(DatabaseStatus.OK, last, null);
    }

    private record Reported(MachineRecord machine, DatabaseReport report) {
    }

    /**
     * Whether the machine that reported the database last has stopped on purpose, and its database was backed up
     * within the window when it stopped: the time it spends stopped does not count against it.
     */
    private boolean stoppedInTime(String database, List<MachineRecord> machines, Instant last) {
        return machines.stream().filter(m -> m.report(database).isPresent())
                .max(Comparator.comparing(MachineRecord::lastSeenAt))
                .filter(MachineRecord::stoppedOnPurpose)
                .filter(m -> Duration.between(last, m.lastSeenAt()).compareTo(staleAfter) <= 0)
                .isPresent();
    }

    /** A tenant's status from its databases': the most serious one; {@code never} when none has a snapshot. */
    public static String worst(Collection<DatabaseStatus> statuses) {
        return statuses.stream().map(DatabaseStatus::status).max(BackupStatus::compare).orElse(DatabaseStatus.NEVER);
    }

    /** Orders statuses least serious first. */
    public static int compare(String a, String b) {
        return SEVERITY.indexOf(a) - SEVERITY.indexOf(b);
    }

    /** Whether {@code status} is one to act on ({@code stale} or {@code failing}). */
    public static boolean problem(String status) {
        return DatabaseStatus.STALE.equals(status) || DatabaseStatus.FAILING.equals(status);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }

    private static String words(Duration d) {
        long hours = d.toHours();
        return hours >= 48 ? (hours / 24) + "d " + (hours % 24) + "h" : hours + "h " + d.toMinutesPart() + "m";
    }
}
