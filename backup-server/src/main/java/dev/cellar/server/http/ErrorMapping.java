package dev.cellar.server.http;

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
    private static final String AUTHORIZED = "cellar.authorized";
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    public static void install(RoutesConfig routes) {
        routes.exception(ApiError.class, (e, ctx) -> respond(ctx, e));
        routes.exception(StorageException.class, (e, ctx) -> {
            log.warn("event=storage.unavailable method={} path={} cause=\"{}\"", ctx.method(), ctx.path(),
                    e.getMessage());
            respond(ctx, ApiError.unavailable("storage_unavailable",
                    "object storage is unavailable; try again later", 5));
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                respond(ctx, new ApiError(e.getStatus(), codeFor(e.getStatus()), e.getMessage())));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("event=request.failed method={} path={}", ctx.method(), ctx.path(), e);
            respond(ctx, new ApiError(500, "internal_error", "the server failed; see its log"));
        });
    }

    static void respond(Context ctx, ApiError e) {
        if (ctx.res().isCommitted()) {
            return; // a streamed body already started; the connection just ends
        }
        if (e.status() < 500) {
            log.info("event=request.refused method={} path={} status={} error={}", ctx.method(), ctx.path(),
                    e.status(), e.code());
        }
        drainRefusedBody(ctx, e.status());
        ctx.res().reset();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.code());
        body.put("message", e.getMessage());
        e.headers().forEach(ctx::header);
        ctx.status(e.status()).json(body);
    }

    /** Marks a request whose caller passed authorization: only then may a refusal wait for the rest of its body. */
    public static void markAuthorized(Context ctx) {
        ctx.attribute(AUTHORIZED, Boolean.TRUE);
    }

    /**
     * Reads what is left of a refused request body, up to {@link #DRAIN_LIMIT} bytes, so a client still sending a
     * small body gets the answer instead of a reset (closing a connection with unread bytes makes TCP reset it, and a
     * reset can destroy the answer before the client reads it). A blocking read is done only for callers that passed
     * authorization (a tenant can hold a thread as long with any valid request) and never for 408; anyone else's
     * refusal (401, 403, 404 before authorization) reads only what has already arrived, or clients without a token
     * trickling their bodies could hold a thread each until the server had none left. Clients that must see the
     * answer to a large refused body send {@code Expect: 100-continue} (curl does for bodies over 1 MiB).
     */
    private static void drainRefusedBody(Context ctx, int status) {
        if (status == 408 || !Boolean.TRUE.equals(ctx.attribute(AUTHORIZED))) {
            drainBuffered(ctx);
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

    /**
     * Reads, without ever waiting, what has already arrived of a refused body (bounded by {@link #DRAIN_LIMIT}):
     * closing a connection with unread bytes in its receive buffer makes TCP reset it, and a reset can destroy the
     * answer before the client reads it. Costs no thread time, so it is safe for refusals anyone can provoke.
     */
    private static void drainBuffered(Context ctx) {
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            long left = DRAIN_LIMIT;
            for (int ready = in.available(); ready > 0 && left > 0; ready = in.available()) {
                int n = in.read(buffer, 0, Math.min(ready, buffer.length));
                if (n <= 0) {
                    return;
                }
                left -= n;
            }
        } catch (IOException | IllegalStateException ignored) {
            // the client went away or the body was never readable: answer regardless
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
