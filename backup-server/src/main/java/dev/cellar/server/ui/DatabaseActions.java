package dev.cellar.server.ui;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.restore.RestoreRequest;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.retention.RetentionPolicies;
import dev.cellar.server.retention.RetentionPolicy;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotDownloads;
import dev.cellar.server.tenant.TenantOverview;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the database view's buttons do; each calls the same service as the API and goes back to the page. */
public final class DatabaseActions {
    private static final Logger log = LoggerFactory.getLogger(DatabaseActions.class);
    private final SnapshotCatalog catalog;
    private final SnapshotDownloads downloads;
    private final RestoreRequests restores;
    private final RetentionPolicies policies;
    private final DrillRun drills;
    private final TenantOverview overview;
    private final DatabasePage page;

    /** The confirmation page's model: the version and the machines the tenant has shown. */
    public record ConfirmView(String csrf, String tenant, String database, String version, String time,
                              String size, List<TenantOverview.MachineSummary> machines) {
    }

    DatabaseActions(SnapshotCatalog catalog, SnapshotDownloads downloads, RestoreRequests restores,
                    RetentionPolicies policies, DrillRun drills, TenantOverview overview, DatabasePage page) {
        this.catalog = catalog;
        this.downloads = downloads;
        this.restores = restores;
        this.policies = policies;
        this.drills = drills;
        this.overview = overview;
        this.page = page;
    }

    /** "Restore this version…": asks how before anything is created. */
    void confirmRestore(Context ctx, AdminSessions.Session session) {
        Snapshot s = snapshot(ctx, ctx.queryParam("version"));
        List<TenantOverview.MachineSummary> machines = overview.summary(s.tenant())
                .map(TenantOverview.TenantSummary::machines).orElse(List.of());
        Pages.render(ctx, "confirm-restore.jte", new ConfirmView(session.csrf(), s.tenant(), s.database(),
                s.version(), Format.time(s.createdAt()), Format.bytes(s.sizeBytes()), machines));
    }

    void createRestore(Context ctx, AdminSessions.Session session) {
        Snapshot s = snapshot(ctx, ctx.formParam("version"));
        String target = ctx.formParam("target");
        if (!"live".equals(target) && !"clone".equals(target)) {
            throw ApiError.badRequest("invalid_target", "choose where to restore: live, or only a fresh clone");
        }
        String machine = ctx.formParam("machineId");
        machine = machine == null || machine.isEmpty() ? null : Access.name("machineId", machine);
        RestoreRequest r = restores.create(s.tenant(), s.database(), s.version(), s.version(), machine,
                target.equals("clone"));
        log.info("event=restore.requested tenant={} database={} id={} version={} machine={} onlyIfMissing={} "
                + "via=admin_page", s.tenant(), s.database(), r.id(), r.version(), machine == null ? "-" : machine,
                r.onlyIfMissing());
        back(ctx, s.tenant(), s.database(), "restore_requested#restores");
    }

    void cancelRestore(Context ctx, AdminSessions.Session session) {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        String id = ctx.pathParam("id");
        if (!RestoreRequests.isValidId(id)) {
            throw ApiError.badRequest("invalid_id", "not a restore request id");
        }
        restores.cancel(tenant, id, "cancelled by the admin");
        log.info("event=restore.cancelled tenant={} id={} via=admin_page", tenant, id);
        back(ctx, tenant, database, "restore_cancelled#restores");
    }

    /** Saves the tenant's policy, or shows the form again with what is wrong beside each field. */
    void saveRetention(Context ctx, AdminSessions.Session session) {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        if (ctx.formParam("reset") != null) {
            policies.remove(tenant);
            log.info("event=retention.reset tenant={} via=admin_page", tenant);
            back(ctx, tenant, database, "retention_reset#retention");
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        int[] counts = new int[RetentionPolicy.FIELDS.size()];
        for (int i = 0; i < counts.length; i++) {
            String field = RetentionPolicy.FIELDS.get(i);
            String text = ctx.formParam(field) == null ? "" : ctx.formParam(field).trim();
            values.put(field, text);
            try {
                counts[i] = Integer.parseInt(text);
                if (counts[i] < 0 || counts[i] > RetentionPolicy.MAX_COUNT) {
                    errors.put(field, "must be from 0 to " + RetentionPolicy.MAX_COUNT);
                }
            } catch (NumberFormatException e) {
                errors.put(field, "must be a whole number from 0 to " + RetentionPolicy.MAX_COUNT);
            }
        }
        if (!errors.isEmpty()) {
            ctx.status(400);
            page.render(ctx, session, tenant, database, new DatabasePage.RetentionForm(values,
                    policies.effective(tenant).source(), errors));
            return;
        }
        policies.put(tenant, new RetentionPolicy(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]));
        log.info("event=retention.saved tenant={} via=admin_page", tenant);
        back(ctx, tenant, database, "retention_saved#retention");
    }

    /** Drills the tenant's newest undrilled snapshots now and comes back when they are done. */
    void drill(Context ctx, AdminSessions.Session session) {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        drills.run(tenant, result -> { });
        back(ctx, tenant, database, "drill_done");
    }

    /** Downloads a version: {@code form=sqlite} the plain database, otherwise the stored zstd object. */
    void download(Context ctx, AdminSessions.Session session) throws Exception {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        String version = SnapshotDownloads.version(ctx.pathParam("version")).toString();
        boolean sqlite = "sqlite".equals(ctx.queryParam("form"));
        if (!sqlite) { // the plain form names its file itself
            ctx.header("Content-Disposition", "attachment; filename=\"" + database + "-" + version + ".sqlite3.zst\"");
        }
        downloads.download(ctx, tenant, database, version, sqlite);
    }

    private Snapshot snapshot(Context ctx, String version) {
        String tenant = Access.name(ctx, "tenant");
        String database = Access.name(ctx, "database");
        if (version == null) {
            throw ApiError.badRequest("invalid_version", "which version? none was given");
        }
        return catalog.find(tenant, database, SnapshotDownloads.version(version))
                .orElseThrow(() -> ApiError.notFound("no snapshot " + version + " of " + tenant + "/" + database));
    }

    /** After a POST, back to the page with a GET (so a reload does not repeat the action). */
    private static void back(Context ctx, String tenant, String database, String notice) {
        ctx.redirect("/ui/tenants/" + tenant + "/databases/" + database + "?notice=" + notice, HttpStatus.SEE_OTHER);
    }
}
