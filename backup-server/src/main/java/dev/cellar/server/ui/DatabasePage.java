package dev.cellar.server.ui;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.restore.RestoreRequest;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.retention.RetentionPolicies;
import dev.cellar.server.retention.RetentionPolicy;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotDownloads;
import dev.cellar.server.snapshot.Verifications;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.DatabaseStatus;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database view: versions skipped at boot, history, chart, downloads, restore requests, retention policy and
 * the drill button.
 */
public final class DatabasePage {
    static final int HISTORY_PAGE = 50;
    private final SnapshotCatalog catalog;
    private final BackupStatus status;
    private final RestoreRequests restores;
    private final RetentionPolicies policies;
    private final MachineRegistry machines;

    /** One snapshot in the history table. */
    public record SnapshotRow(String version, String time, String size, String stored, String machine,
                              String verifiedAt, String verification, String verificationClass) {
    }

    /** One restore request, as the page lists it. */
    public record RestoreRow(String id, String version, String target, String state, String created,
                             String finished, String claimedBy, String message, boolean cancellable) {
    }

    /**
     * The retention form: field values as text (what was typed, after a refusal), whose policy is in force and,
     * per field, what is wrong.
     */
    public record RetentionForm(Map<String, String> values, String source, Map<String, String> errors) {
        static RetentionForm of(RetentionPolicies.Effective effective) {
            RetentionPolicy p = effective.policy();
            int[] v = {p.keepLast(), p.hourly(), p.daily(), p.weekly(), p.monthly(), p.yearly()};
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) {
                values.put(RetentionPolicy.FIELDS.get(i), Integer.toString(v[i]));
            }
            return new RetentionForm(values, effective.source(), Map.of());
        }
    }

    /** The page's model. */
    public record View(String csrf, String tenant, String database, DatabaseStatus status,
                       List<SnapshotRow> snapshots, String olderCursor, SizeChart chart, List<RestoreRow> restores,
                       RetentionForm retention, String notice, List<SkippedAtBoot> skipped) {
        public String base() {
            return "/ui/tenants/" + tenant + "/databases/" + database;
        }
    }

    DatabasePage(SnapshotCatalog catalog, BackupStatus status, RestoreRequests restores,
                 RetentionPolicies policies, MachineRegistry machines) {
        this.catalog = catalog;
        this.machines = machines;
        this.status = status;
        this.restores = restores;
        this.policies = policies;
    }

    void show(Context ctx, AdminSessions.Session session) {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        render(ctx, session, tenant, database, RetentionForm.of(policies.effective(tenant)));
    }

    /** Renders the page with {@code retention} in its form (the stored policy, or a refused edit). */
    void render(Context ctx, AdminSessions.Session session, String tenant, String database,
                RetentionForm retention) {
        String before = ctx.queryParam("before");
        SnapshotVersion cursor = before == null || before.isEmpty() ? null : SnapshotDownloads.version(before);
        SnapshotCatalog.Page page = catalog.list(tenant, database, HISTORY_PAGE, cursor);
        if (page.snapshots().isEmpty() && cursor == null && catalog.latest(tenant, database).isEmpty()) {
            throw ApiError.notFound("no snapshot of " + tenant + "/" + database + " is stored");
        }
        List<SnapshotRow> rows = page.snapshots().stream().map(DatabasePage::row).toList();
        List<RestoreRow> requests = restores.list(tenant, false).stream()
                .filter(r -> r.database().equals(database)).sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                .map(DatabasePage::row).toList();
        // the tenant's machine records, read once for the status and the skipped versions
        List<MachineRecord> seen = machines.list(tenant);
        DatabaseStatus state = status.of(tenant, database, catalog.latest(tenant, database).orElse(null), seen);
        Pages.render(ctx, "database.jte", new View(session.csrf(), tenant, database, state, rows, page.next(),
                SizeChart.of(page.snapshots()), requests, retention, notice(ctx), SkippedAtBoot.of(database, seen)));
    }

    private static SnapshotRow row(Snapshot s) {
        String v = s.verification();
        String css = v == null ? "st-never" : Verifications.OK.equals(v) ? "st-ok" : "st-failing";
        return new SnapshotRow(s.version(), Format.time(s.createdAt()), Format.bytes(s.sizeBytes()),
                Format.bytes(s.storedBytes()), s.machineId() == null ? "—" : s.machineId(),
                Format.time(s.verifiedAt()), v == null ? "not drilled yet" : v, css);
    }

    private static RestoreRow row(RestoreRequest r) {
        String target = (r.onlyIfMissing() ? "fresh clone only" : "live")
                + (r.machineId() == null ? ", any machine" : ", machine " + r.machineId());
        return new RestoreRow(r.id(), r.version(), target, r.state(), Format.time(r.createdAt()),
                Format.time(r.finishedAt()), r.claimedBy() == null ? "—" : r.claimedBy(),
                r.message() == null ? "" : r.message(), r.isPending());
    }

    /** A notice after an action: only known codes, so nothing from the query string reaches the page. */
    private static String notice(Context ctx) {
        String code = ctx.queryParam("notice");
        return code == null ? null : switch (code) {
            case "restore_requested" -> "Restore request created. The tenant's agent applies it at its next "
                    + "heartbeat.";
            case "restore_cancelled" -> "Restore request cancelled.";
            case "retention_saved" -> "Retention policy saved; it applies from the next retention run.";
            case "retention_reset" -> "The tenant now follows the server-wide retention policy.";
            case "drill_done" -> "Drill finished; the verification column shows the results.";
            default -> null;
        };
    }
}
