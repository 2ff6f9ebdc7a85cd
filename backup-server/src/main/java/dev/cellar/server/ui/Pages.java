package dev.cellar.server.ui;

import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.storage.StorageException;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every admin page shares: the session check, the CSRF check of every POST, rendering a template to HTML
 * with strict headers, and refusals as an HTML page (the API's JSON error mapping stays for the API).
 */
public final class Pages {
    private static final Logger log = LoggerFactory.getLogger(Pages.class);
    /** Inline CSS only, no script, no third-party anything; forms post back here and nowhere else. */
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String CSRF_FIELD = "csrf";
    /** Templates compiled at build time (jte-maven-plugin): nothing is compiled at run time. */
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Access access;

    /** A page handler that runs for a signed-in admin. */
    @FunctionalInterface
    interface SignedIn {
        void handle(Context ctx, AdminSessions.Session session) throws Exception;
    }

    Pages(Access access) {
        this.access = access;
    }

    Access access() {
        return access;
    }

    /**
     * Wraps a handler: without a valid session a GET goes to the sign-in page and anything else is refused; a
     * POST must carry the session's CSRF token; a refusal renders as an error page with its status.
     */
    Handler signedIn(SignedIn handler) {
        return ctx -> guarded(ctx, () -> {
            AdminSessions.Session session = access.adminSession(ctx).orElse(null);
            if (session == null) {
                if (ctx.method().name().equals("GET")) {
                    ctx.redirect("/ui/signin", io.javalin.http.HttpStatus.SEE_OTHER);
                    return;
                }
                throw ApiError.unauthorized("your session has ended; sign in again");
            }
            if (!ctx.method().name().equals("GET")
                    && !AdminSessions.csrfMatches(session, ctx.formParam(CSRF_FIELD))) {
                log.warn("event=admin_page.csrf_refused method={} path={}", ctx.method(), ctx.path());
                throw ApiError.forbidden("this form is missing its security token or it is out of date; "
                        + "reload the page and try again");
            }
            handler.handle(ctx, session);
        });
    }

    /** Runs a page's work and turns a refusal into an error page. */
    void guarded(Context ctx, Work work) {
        try {
            work.run();
        } catch (ApiError e) {
            errorPage(ctx, e.status(), e.getMessage());
        } catch (StorageException e) {
            log.warn("event=storage.unavailable method={} path={} cause=\"{}\"", ctx.method(), ctx.path(),
                    e.getMessage());
            errorPage(ctx, 503, "object storage is unavailable; try again in a moment");
            ctx.header("Retry-After", "5");
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private void errorPage(Context ctx, int status, String message) {
        if (ctx.res().isCommitted()) {
            return; // a download already started; the connection just ends
        }
        ctx.res().reset(); // no download header survives into the error page
        ctx.status(status);
        String csrf = null;
        try {
            csrf = access.adminSession(ctx).map(AdminSessions.Session::csrf).orElse(null);
        } catch (StorageException ignored) {
            // the page shows without its sign-out button
        }
        render(ctx, "error.jte", new ErrorView(status, message, csrf));
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** Renders a template into the response. */
    static void render(Context ctx, String template, Object model) {
        headers(ctx);
        StringOutput out = new StringOutput();
        ENGINE.render(template, model, out);
        ctx.html(out.toString());
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    /** The error page's model; {@code csrf} is set when a session exists (for the sign-out button). */
    public record ErrorView(int status, String message, String csrf) {
    }
}
