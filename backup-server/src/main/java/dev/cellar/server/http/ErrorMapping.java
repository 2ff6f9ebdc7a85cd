package dev.cellar.server.http;

import dev.cellar.server.metrics.Metrics;
import dev.cellar.server.storage.StorageException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP responses. Handlers throw; they never build an error body. */
public final class ErrorMapping {
    private static final long DRAIN_LIMIT = 1 << 20;
    private static final String AUTHORIZED = "cellar.authorized";
    private static final long SHORT_DRAIN_LIMIT = 64 * 1024;
    private static final Duration SHORT_DRAIN_SILENCE = Duration.ofMillis(250);
    private static final Duration SHORT_DRAIN_DEADLINE = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    public static void install(RoutesConfig routes) {
        install(routes, Metrics.NONE, (e, ctx) -> { });
    }

    /**
     * @param metrics    counts refusals and storage failures
     * @param unexpected told of every failure that became a 500 (the alerts send it to Sentry)
     */
    public static void install(RoutesConfig routes, Metrics metrics, BiConsumer<Exception, Context> unexpected) {
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
            unexpected.accept(e, ctx);
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
     * refusal (401, 403, 404 before authorization) is drained {@linkplain #drainBriefly briefly}, or clients without
     * a token trickling their bodies could hold a thread each until the server had none left. Clients that must see the
     * answer to a large refused body send {@code Expect: 100-continue} (curl does for bodies over 1 MiB).
     */
    private static void drainRefusedBody(Context ctx, int status) {
        if (status == 408 || !Boolean.TRUE.equals(ctx.attribute(AUTHORIZED))) {
            drainBriefly(ctx);
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
     * Reads what is left of a refused body of at most {@link #SHORT_DRAIN_LIMIT} bytes, waiting at most
     * {@link #SHORT_DRAIN_SILENCE} for each next byte and {@link #SHORT_DRAIN_DEADLINE} in all: closing a connection
     * with unread bytes makes TCP reset it, and a reset can destroy the answer before the client reads it. Bounded
     * this way, a refusal anyone can provoke holds a thread for at most a second, so clients trickling bodies cannot
     * take the server's threads; larger bodies are not read at all (the connection is closed after the answer).
     */
    private static void drainBriefly(Context ctx) {
        String length = ctx.header("Content-Length");
        EndPoint endPoint = null;
        long idle = 0;
        try {
            if (length == null || Long.parseLong(length.trim()) > SHORT_DRAIN_LIMIT) {
                return;
            }
            endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                    .getConnection().getEndPoint();
            idle = endPoint.getIdleTimeout();
            endPoint.setIdleTimeout(SHORT_DRAIN_SILENCE.toMillis());
            long deadline = System.nanoTime() + SHORT_DRAIN_DEADLINE.toNanos();
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            while (System.nanoTime() < deadline && in.read(buffer) > 0) {
                // discard
            }
        } catch (IOException | RuntimeException ignored) {
            // silent too long, more than we read for free, or the client went away: answer regardless
        } finally {
            if (endPoint != null) {
                endPoint.setIdleTimeout(idle);
            }
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
