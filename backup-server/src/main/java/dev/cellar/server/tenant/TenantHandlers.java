package dev.cellar.server.tenant;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.TokenService;
import dev.cellar.server.http.ApiError;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenant tokens and the tenant overview. */
public final class TenantHandlers {
    private static final Logger log = LoggerFactory.getLogger(TenantHandlers.class);
    private final Access access;
    private final TokenService tokens;
    private final TenantWalk walk;
    private final TenantOverview overview;

    public TenantHandlers(Access access, TokenService tokens, TenantWalk walk, TenantOverview overview) {
        this.access = access;
        this.tokens = tokens;
        this.walk = walk;
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

    /** One page of tenants: {@code ?limit=}, {@code ?cursor=} (the previous page's {@code next}), {@code ?status=}. */
    public void list(Context ctx) {
        access.requireAdmin(ctx);
        TenantListing.Query query = TenantListing.query(ctx.queryParam("limit"), ctx.queryParam("cursor"),
                ctx.queryParam("status"));
        TenantListing.Page page = TenantListing.page(query, walk, overview);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenants", page.tenants());
        body.put("next", page.next());
        ctx.json(body);
    }

    public void get(Context ctx) {
        String tenant = access.requireTenant(ctx);
        ctx.json(overview.summary(tenant).orElseThrow(() -> ApiError.notFound("no tenant " + tenant)));
    }
}
