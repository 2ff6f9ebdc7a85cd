package dev.cellar.server.tenant;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.TokenService;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenant tokens and the tenant overview. */
public final class TenantHandlers {
    private static final Logger log = LoggerFactory.getLogger(TenantHandlers.class);
    private final Access access;
    private final TokenService tokens;
    private final TenantRegistry tenants;
    private final SnapshotCatalog catalog;

    /** One database of a tenant and its newest snapshot (null when it has none). */
    public record DatabaseSummary(String database, Snapshot latest) {
    }

    /**
     * What the overview shows of one tenant. {@code status} is {@code never} (no snapshot yet) or {@code ok};
     * heartbeat-based states come with monitoring.
     */
    public record TenantSummary(String tenant, Instant createdAt, String status, Instant lastSnapshotAt,
                                Instant lastHeartbeatAt, List<String> machines, List<DatabaseSummary> databases) {
    }

    public TenantHandlers(Access access, TokenService tokens, TenantRegistry tenants, SnapshotCatalog catalog) {
        this.access = access;
        this.tokens = tokens;
        this.tenants = tenants;
        this.catalog = catalog;
    }

    public void mintToken(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        String token = tokens.mint(tenant);
        log.info("event=token.minted tenant={}", tenant);
        ctx.status(201).json(Map.of("tenant", tenant, "token", token));
    }

    public void revokeTokens(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        tokens.revokeAll(tenant);
        log.info("event=token.revoked tenant={}", tenant);
        ctx.status(204);
    }

    public void list(Context ctx) {
        access.requireAdmin(ctx);
        List<TenantSummary> all = new ArrayList<>();
        for (String tenant : tenants.names()) {
            summary(tenant).ifPresent(all::add);
        }
        ctx.json(Map.of("tenants", all));
    }

    public void get(Context ctx) {
        String tenant = access.requireTenant(ctx);
        ctx.json(summary(tenant).orElseThrow(() -> ApiError.notFound("no tenant " + tenant)));
    }

    private Optional<TenantSummary> summary(String tenant) {
        Optional<TenantRecord> record = tenants.find(tenant);
        List<DatabaseSummary> databases = new ArrayList<>();
        Instant last = null;
        for (String database : catalog.databases(tenant)) {
            Snapshot latest = catalog.latest(tenant, database).orElse(null);
            databases.add(new DatabaseSummary(database, latest));
            if (latest != null && (last == null || latest.createdAt().isAfter(last))) {
                last = latest.createdAt();
            }
        }
        if (record.isEmpty() && databases.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TenantSummary(tenant, record.map(TenantRecord::createdAt).orElse(null),
                last == null ? "never" : "ok", last, null, List.of(), databases));
    }
}
