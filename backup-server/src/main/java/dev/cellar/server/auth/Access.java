package dev.cellar.server.auth;

import dev.cellar.core.Names;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.ErrorMapping;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who may do what, checked in a fixed order so answers never leak more than they must: 401 (who are you?), then
 * 400 (malformed names), then 403 (not yours).
 */
public final class Access {
    private final TokenService tokens;
    private final AdminSessions sessions;

    public Access(TokenService tokens, AdminSessions sessions) {
        this.tokens = tokens;
        this.sessions = sessions;
    }

    /** Whether {@code token} is the admin token (constant time); a tenant's or a malformed token is not. */
    public boolean isAdminToken(String token) {
        try {
            return token != null && !token.isBlank() && tokens.authenticate("Bearer " + token).isAdmin();
        } catch (ApiError e) {
            return false;
        }
    }

    /** The admin page's session from its cookie; empty when there is none or it is forged, expired or ended. */
    public Optional<AdminSessions.Session> adminSession(Context ctx) {
        return sessions.verify(ctx.cookie(AdminSessions.COOKIE));
    }

    /** Admin only. */
    public void requireAdmin(Context ctx) {
        if (!tokens.authenticate(ctx.header("Authorization")).isAdmin()) {
            throw ApiError.forbidden("this needs the admin token");
        }
        ErrorMapping.markAuthorized(ctx);
    }

    /** Admin only, on a tenant named in the path; returns the tenant. */
    public String requireAdminOnTenant(Context ctx) {
        requireAdmin(ctx);
        return name(ctx, "tenant");
    }

    /** The admin or the tenant named in the path; returns the tenant. */
    public String requireTenant(Context ctx) {
        Principal who = tokens.authenticate(ctx.header("Authorization"));
        String tenant = name(ctx, "tenant");
        if (who instanceof Principal.Tenant t && !t.name().equals(tenant)) {
            throw ApiError.forbidden("this token belongs to another tenant");
        }
        ErrorMapping.markAuthorized(ctx);
        return tenant;
    }

    /** A validated name from the path ({@code tenant}, {@code database}). */
    public static String name(Context ctx, String param) {
        return name(param, ctx.pathParam(param));
    }

    /** A validated name from anywhere else (a header, a body field), or 400 {@code invalid_name}. */
    public static String name(String field, String value) {
        if (!Names.isValid(value)) {
            throw ApiError.badRequest("invalid_name", Names.problem(field, value));
        }
        return value;
    }
}
