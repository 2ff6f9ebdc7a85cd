package dev.cellar.server.http;

import dev.cellar.server.metrics.Metrics;
import dev.cellar.server.storage.StorageException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP responses. Handlers throw; they never build an error body. */
public final class ErrorMapping {
    private static final long DRAIN_LIMIT = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    public static void install(RoutesConfig routes, Metrics metrics) {
        routes.exception(ApiError.class, (e, ctx) -> respond(ctx, e, metrics));
        routes.exception(StorageException.class, (e, ctx) -> {
            metrics.storageFailed();
            log.warn("event=storage.unavailable method={} path={} cause=\"{}\"", ctx.method(), ctx.path(),
                    e.getMessage());
            respond(ctx, ApiError.unavailable("storage_unavailable",
                    "object storage is unavailable; try again later", 5), metrics);
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                respond(ctx, new ApiError(e.getStatus(), codeFor(e.getStatus()), e.getMessage()), metrics));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("event=request.failed method={} path={}", ctx.method(), ctx.path(), e);
            respond(ctx, new ApiError(500, "internal_error", "the server failed; see its log"), metrics);
        });
    }

    static void respond(Context ctx, ApiError e, Metrics metrics) {
        metrics.refused(e.status(), e.code());
        if (ctx.res().isCommitted()) {
            return; // a streamed body already started; the connection just ends
        }
        if (e.status() < 500) {
            log.info("event=request.refused method={} path={} status={} error={}", ctx.method(), ctx.path(),
                    e.status(), e.code());
        }
        drainAfterAuthentication(ctx, e.status());
        ctx.res().reset();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.code());
        body.put("message", e.getMessage());
        e.headers().forEach(ctx::header);
        ctx.status(e.status()).json(body);
    }

    /**
     * Reads what is left of a refused request body, up to {@link #DRAIN_LIMIT} bytes, so a client still sending a
     * small body gets the answer (and keeps its connection) instead of a reset. This read blocks, so it is done only
     * for refusals that come after a valid token (the handlers authenticate first): refusals that anyone can
     * provoke without credentials, or that are about how the client sends (401, 403, 404, 405, 408, 413), read
     * nothing, or clients without a token trickling their bodies could hold a thread each until the server had
     * none left. The container closes the connection after such an answer; clients that must see it send
     * {@code Expect: 100-continue} (curl does for bodies over 1 MiB).
     */
    private static void drainAfterAuthentication(Context ctx, int status) {
        if (status == 401 || status == 403 || status == 404 || status == 405 || status == 408 || status == 413) {
            return;
        }
        String length = ctx.header("Content-Length");
        try {
            if (length == null || Long.parseLong(length.trim()) <= DRAIN_LIMIT) {
                InputStream in = ctx.req().getInputStream();
                byte[] buffer = new byte[8192];
                long left = DRAIN_LIMIT;
                for (int n = in.read(buffer); n > 0 && left > 0; n = in.read(buffer)) {
                    left -= n;
                }
            }
        } catch (IOException | NumberFormatException | IllegalStateException ignored) {
            // nothing more to read, more than we read for free, or the client went away: answer regardless
        }
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "too_large";
            default -> "http_" + status;
        };
    }
}
