package dev.cellar.server.ui;

import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.Verifications;
import dev.cellar.server.status.DatabaseStatus;
import dev.cellar.server.tenant.ForkCheck;
import dev.cellar.server.tenant.TenantOverview;
import dev.cellar.server.tenant.TenantRegistry;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fleet view: every tenant database, problems first (failing, stale, never, then ok; the oldest backup first
 * within each), filtered by status and by a search on the names, one page of {@link #PAGE_SIZE} at a time.
 */
public final class FleetPage {
    static final int PAGE_SIZE = 50;
    /** Most serious first: the order of the fleet view. */
    static final List<String> ORDER = List.of(DatabaseStatus.FAILING, DatabaseStatus.STALE, DatabaseStatus.NEVER,
            DatabaseStatus.OK);
    private final TenantRegistry tenants;
    private final TenantOverview overview;
    private final Clock clock;

    /** One tenant database as the fleet view lists it. */
    public record Row(String tenant, String database, String status, String reason, String lastBackup, String age,
                      String size, String machine, String region, List<String> warnings) {
        public boolean problem() {
            return status.equals(DatabaseStatus.STALE) || status.equals(DatabaseStatus.FAILING);
        }
    }

    /**
     * The page's model: one page of rows, the filter as given, and how many databases each status has in the
     * whole fleet.
     */
    public record View(String csrf, List<Row> rows, String status, String query, int page, int pages, int matching,
                       Map<String, Integer> counts) {
        /** The address of another page of this same filter. */
        public String link(int page) {
            return "/?status=" + URLEncoder.encode(status, StandardCharsets.UTF_8) + "&q="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&page=" + page;
        }
    }

    private record Sortable(Row row, Instant lastBackupAt) {
    }

    FleetPage(TenantRegistry tenants, TenantOverview overview, Clock clock) {
        this.tenants = tenants;
        this.overview = overview;
        this.clock = clock;
    }

    void show(Context ctx, AdminSessions.Session session) {
        String status = ctx.queryParam("status");
        if (status != null && !ORDER.contains(status)) {
            status = null; // an unknown filter shows everything rather than an empty page
        }
        String query = ctx.queryParam("q") == null ? "" : ctx.queryParam("q").trim();
        Instant now = clock.instant();
        Map<String, Integer> counts = new LinkedHashMap<>();
        ORDER.forEach(s -> counts.put(s, 0));
        List<Sortable> matching = new ArrayList<>();
        for (String tenant : tenants.names()) {
            TenantOverview.TenantSummary summary = overview.summary(tenant).orElse(null);
            if (summary == null) {
                continue;
            }
            for (TenantOverview.DatabaseSummary db : summary.databases()) {
                counts.merge(db.status(), 1, Integer::sum);
                if ((status == null || status.equals(db.status())) && matches(query, tenant, db.database())) {
                    matching.add(new Sortable(row(summary, db, now), db.lastBackupAt()));
                }
            }
        }
        matching.sort(Comparator.<Sortable>comparingInt(s -> ORDER.indexOf(s.row().status()))
                .thenComparing(Sortable::lastBackupAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(s -> s.row().tenant()).thenComparing(s -> s.row().database()));
        int pages = Math.max(1, (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        int page = Math.min(pages, Math.max(1, intParam(ctx.queryParam("page"))));
        List<Row> rows = matching.subList((page - 1) * PAGE_SIZE, Math.min(matching.size(), page * PAGE_SIZE))
                .stream().map(Sortable::row).toList();
        Pages.render(ctx, "fleet.jte", new View(session.csrf(), rows, status == null ? "" : status, query, page,
                pages, matching.size(), counts));
    }

    private static Row row(TenantOverview.TenantSummary tenant, TenantOverview.DatabaseSummary db, Instant now) {
        Snapshot latest = db.latest();
        String machine = latest == null ? null : latest.machineId();
        String region = tenant.machines().stream().filter(m -> m.machineId().equals(machine))
                .map(TenantOverview.MachineSummary::region).filter(r -> r != null).findFirst().orElse(null);
        List<String> warnings = new ArrayList<>(tenant.warnings().stream().map(ForkCheck.Warning::message).toList());
        if (latest != null && latest.verification() != null && !Verifications.OK.equals(latest.verification())) {
            warnings.add("newest snapshot failed its drill: " + latest.verification());
        }
        List<String> skippedBy = tenant.machines().stream()
                .filter(m -> m.skippedVersions().stream().anyMatch(v -> v.database().equals(db.database())))
                .map(TenantOverview.MachineSummary::machineId).toList();
        if (!skippedBy.isEmpty()) {
            warnings.add("versions skipped at boot by machine " + String.join(", ", skippedBy)
                    + ": see the database page");
        }
        return new Row(tenant.tenant(), db.database(), db.status(), db.reason(), Format.time(db.lastBackupAt()),
                Format.age(db.lastBackupAt(), now), latest == null ? "—" : Format.bytes(latest.sizeBytes()),
                machine == null ? "—" : machine, region == null ? "—" : region, warnings);
    }

    private static boolean matches(String query, String tenant, String database) {
        if (query.isEmpty()) {
            return true;
        }
        String q = query.toLowerCase(Locale.ROOT);
        return tenant.toLowerCase(Locale.ROOT).contains(q) || database.toLowerCase(Locale.ROOT).contains(q)
                || (tenant + "/" + database).toLowerCase(Locale.ROOT).contains(q);
    }

    private static int intParam(String value) {
        try {
            return value == null ? 1 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
