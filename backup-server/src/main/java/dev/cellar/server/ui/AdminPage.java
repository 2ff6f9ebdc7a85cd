package dev.cellar.server.ui;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.retention.RetentionPolicies;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotDownloads;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.tenant.TenantOverview;
import dev.cellar.server.tenant.TenantRegistry;
import io.javalin.config.RoutesConfig;
import java.time.Clock;

/**
 * The admin web page: every route of it at a glance. {@code /} is the fleet; everything else lives under
 * {@code /ui/}. Every route but the sign-in form needs a signed-in admin (see {@link Pages#signedIn}).
 */
public final class AdminPage {
    private static final String DB = "/ui/tenants/{tenant}/databases/{database}";
    private final Pages pages;
    private final SignIn signIn;
    private final FleetPage fleet;
    private final DatabasePage database;
    private final DatabaseActions actions;

    /** The services the page calls: the same ones the API's handlers use. */
    public record Services(Access access, AdminSessions sessions, TenantRegistry tenants, TenantOverview overview,
                           SnapshotCatalog catalog, SnapshotDownloads downloads, BackupStatus status,
                           RestoreRequests restores, RetentionPolicies policies, DrillRun drills,
                           MachineRegistry machines, Clock clock) {
    }

    public AdminPage(Services s) {
        this.pages = new Pages(s.access());
        this.signIn = new SignIn(pages, s.sessions());
        this.fleet = new FleetPage(s.tenants(), s.overview(), s.clock());
        this.database = new DatabasePage(s.catalog(), s.status(), s.restores(), s.policies(), s.machines());
        this.actions = new DatabaseActions(s.catalog(), s.downloads(), s.restores(), s.policies(), s.drills(),
                s.overview(), database);
    }

    public void install(RoutesConfig routes) {
        routes.get("/", pages.signedIn(fleet::show));
        routes.get("/ui/signin", ctx -> pages.guarded(ctx, () -> signIn.form(ctx)));
        routes.post("/ui/signin", signIn::signIn);
        routes.post("/ui/signout", pages.signedIn(signIn::signOut));
        routes.get(DB, pages.signedIn(database::show));
        routes.get(DB + "/snapshots/{version}/download", pages.signedIn(actions::download));
        routes.get(DB + "/restore", pages.signedIn(actions::confirmRestore));
        routes.post(DB + "/restores", pages.signedIn(actions::createRestore));
        routes.post(DB + "/restores/{id}/cancel", pages.signedIn(actions::cancelRestore));
        routes.post(DB + "/retention", pages.signedIn(actions::saveRetention));
        routes.post(DB + "/drill", pages.signedIn(actions::drill));
    }
}
