package dev.cellar.server.tenant;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.TokenService;
import dev.cellar.server.http.ApiError;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenant tokens and the tenant overview. */
public final class TenantHandlers {
    private static final Logger log = LoggerFactory.getLogger(TenantHandlers.class);
    private final Access access;
    private final TokenService tokens;
    private final TenantRegistry tenants;
    private final TenantOverview overview;

    public TenantHandlers(Access access, TokenService tokens, TenantRegistry tenants, TenantOverview overview) {
        this.access = access;
        this.tokens = tokens;
        this.tenants = tenants;
        this.overview = overview;
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
        List<TenantOverview.TenantSummary> all = new ArrayList<>();
        for (String tenant : tenants.names()) {
            overview.summary(tenant).ifPresent(all::add);
        }
        ctx.json(Map.of("tenants", all));
    }

    public void get(Context ctx) {
        String tenant = access.requireTenant(ctx);
        ctx.json(overview.summary(tenant).orElseThrow(() -> ApiError.notFound("no tenant " + tenant)));
    }
}
