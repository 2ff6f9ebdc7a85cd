package dev.cellar.server.status;

import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.snapshot.Verifications;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one place that decides a database's status from the bucket; the tenant views and the nightly stale job both
 * ask it. Rules, most serious first: {@code failing} when the newest snapshot failed its restore drill (it may not
 * restore); {@code stale} when neither an upload nor an "unchanged" confirmation arrived within
 * {@code BACKUP_STALE_AFTER}; {@code never} without any snapshot; otherwise {@code ok}.
 */
public final class BackupStatus {
    /** Least serious first: a tenant is as bad as its worst database. */
    private static final List<String> SEVERITY = List.of(DatabaseStatus.NEVER, DatabaseStatus.OK,
            DatabaseStatus.STALE, DatabaseStatus.FAILING);
    private final SnapshotCatalog catalog;
    private final UploadConfirmations confirmations;
    private final Duration staleAfter;
    private final Clock clock;

    public BackupStatus(SnapshotCatalog catalog, UploadConfirmations confirmations, Duration staleAfter,
                        Clock clock) {
        this.catalog = catalog;
        this.confirmations = confirmations;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    public DatabaseStatus of(String tenant, String database) {
        return of(tenant, database, catalog.latest(tenant, database).orElse(null));
    }

    /** @param latest the database's newest snapshot when the caller has it already, or null when there is none */
    public DatabaseStatus of(String tenant, String database, Snapshot latest) {
        if (latest == null) {
            return new DatabaseStatus(DatabaseStatus.NEVER, null, "no snapshot stored yet");
        }
        Instant last = latest.createdAt();
        Instant confirmed = confirmations.last(tenant, database).map(UploadConfirmations.Confirmation::at)
                .orElse(null);
        if (confirmed != null && confirmed.isAfter(last)) {
            last = confirmed;
        }
        Optional<Verifications.Verdict> drill = catalog.verifications().of(tenant, database, latest);
        if (drill.isPresent() && !drill.get().ok()) {
            return new DatabaseStatus(DatabaseStatus.FAILING, last, "newest snapshot " + latest.version()
                    + " failed its restore drill at " + drill.get().verifiedAt() + ": " + drill.get().verification());
        }
        Duration ago = Duration.between(last, clock.instant());
        if (ago.compareTo(staleAfter) > 0) {
            return new DatabaseStatus(DatabaseStatus.STALE, last, "last backup at " + last + ", " + words(ago)
                    + " ago; expected within " + words(staleAfter) + " (BACKUP_STALE_AFTER)");
        }
        return new DatabaseStatus(DatabaseStatus.OK, last, null);
    }

    /** A tenant's status from its databases': the most serious one; {@code never} when none has a snapshot. */
    public static String worst(Collection<DatabaseStatus> statuses) {
        return statuses.stream().map(DatabaseStatus::status).max((a, b) -> SEVERITY.indexOf(a) - SEVERITY.indexOf(b))
                .orElse(DatabaseStatus.NEVER);
    }

    private static String words(Duration d) {
        long hours = d.toHours();
        return hours >= 48 ? (hours / 24) + "d " + (hours % 24) + "h" : hours + "h " + d.toMinutesPart() + "m";
    }
}
