package dev.cellar.server.ui;

import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.http.ApiError;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in with the admin token and out again. The token travels only in a POST body and is never logged or
 * put in a URL. The sign-in form has no session yet, so it is protected by a double-submit cookie instead.
 */
public final class SignIn {
    private static final Logger log = LoggerFactory.getLogger(SignIn.class);
    private static final String FORM_COOKIE = "cellar_signin";
    private final Pages pages;
    private final AdminSessions sessions;
    private final SecureRandom random = new SecureRandom();

    /** The sign-in page's model: the form's CSRF value and, after a refusal, why. */
    public record SignInView(String csrf, String problem) {
    }

    SignIn(Pages pages, AdminSessions sessions) {
        this.pages = pages;
        this.sessions = sessions;
    }

    void form(Context ctx) {
        if (pages.access().adminSession(ctx).isPresent()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        showForm(ctx, null);
    }

    void signIn(Context ctx) {
        pages.guarded(ctx, () -> {
            String expected = ctx.cookie(FORM_COOKIE);
            String submitted = ctx.formParam(Pages.CSRF_FIELD);
            if (expected == null || submitted == null || !MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), submitted.getBytes(StandardCharsets.UTF_8))) {
                log.warn("event=admin_page.csrf_refused method=POST path={}", ctx.path());
                throw ApiError.forbidden("the sign-in form is missing its security token; reload it and try again");
            }
            if (!pages.access().isAdminToken(ctx.formParam("token"))) {
                log.info("event=admin_page.sign_in outcome=refused ip={}", ctx.ip());
                ctx.status(401);
                showForm(ctx, "That is not the admin token.");
                return;
            }
            AdminSessions.Session session = sessions.create();
            log.info("event=admin_page.sign_in outcome=ok ip={} expiresAt={}", ctx.ip(), session.expiresAt());
            setCookie(ctx, AdminSessions.COOKIE, session.id(), sessions.ttl());
            setCookie(ctx, FORM_COOKIE, "", Duration.ZERO);
            ctx.redirect("/", HttpStatus.SEE_OTHER);
        });
    }

    void signOut(Context ctx, AdminSessions.Session session) {
        sessions.signOut(session);
        log.info("event=admin_page.sign_out ip={}", ctx.ip());
        setCookie(ctx, AdminSessions.COOKIE, "", Duration.ZERO);
        ctx.redirect("/ui/signin", HttpStatus.SEE_OTHER);
    }

    private void showForm(Context ctx, String problem) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        setCookie(ctx, FORM_COOKIE, csrf, Duration.ofHours(1));
        Pages.render(ctx, "signin.jte", new SignInView(csrf, problem));
    }

    /**
     * HttpOnly, SameSite=Strict, and Secure when the request came over TLS (directly, or through the Fly proxy,
     * which says so in X-Forwarded-Proto). A zero lifetime deletes the cookie.
     */
    static void setCookie(Context ctx, String name, String value, Duration maxAge) {
        boolean tls = "https".equalsIgnoreCase(ctx.scheme())
                || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
    }
}
