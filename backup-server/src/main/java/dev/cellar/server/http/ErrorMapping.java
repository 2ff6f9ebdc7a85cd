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
    private static final long DRAIN_DEADLINE_NANOS = 200_000_000L;
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
        drainBuffered(ctx, e.status());
        ctx.res().reset();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.code());
        body.put("message", e.getMessage());
        e.headers().forEach(ctx::header);
        ctx.status(e.status()).json(body);
    }

    /**
     * Reads what has already arrived of a refused request body, up to {@link #DRAIN_LIMIT} bytes and for at most
     * {@link #DRAIN_DEADLINE_NANOS}, so that a client whose small body is in flight gets the answer instead of a
     * reset connection. It never waits for bytes: a blocking read here let clients without credentials hold a
     * thread each by trickling their body, until the server had none left. A rest that has not arrived is not
     * read; the container closes the connection after the answer. Refusals that are about who the client is or
     * how it sends (401, 403, 408, 413) read nothing at all.
     */
    private static void drainBuffered(Context ctx, int status) {
        if (status == 401 || status == 403 || status == 408 || status == 413) {
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            long left = DRAIN_LIMIT;
            long deadline = System.nanoTime() + DRAIN_DEADLINE_NANOS;
            while (left > 0 && System.nanoTime() < deadline) {
                int available = in.available();
                if (available <= 0) {
                    return;
                }
                int n = in.read(buffer, 0, (int) Math.min(Math.min(available, buffer.length), left));
                if (n <= 0) {
                    return;
                }
                left -= n;
            }
        } catch (IOException | IllegalStateException ignored) {
            // nothing more to read, or the client went away: answer regardless
        }
    }

    private static String codeFor(int status) {
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
