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
    private static final String AUTHORIZED = "cellar.authorized";
    private static final Drain BRIEF = new Drain(64 * 1024, Duration.ofMillis(250), Duration.ofSeconds(1));
    private static final Drain AFTER_AUTHORIZATION =
            new Drain(64L << 20, Duration.ofSeconds(1), Duration.ofSeconds(2));
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
     * How much of a refused body is read before the answer, so that the client reads the answer rather than a reset
     * (closing a connection with unread bytes makes TCP reset it, and a reset can destroy the answer before the
     * client reads it): at most {@code maxBytes}, waiting at most {@code silence} for each next byte and
     * {@code deadline} in all. What is not read by then is left, and the connection is closed after the answer.
     */
    private record Drain(long maxBytes, Duration silence, Duration deadline) {
    }

    /**
     * A caller that passed authorization gets a generous drain (a tenant can hold a thread as long with any valid
     * request; storage failing in the middle of an upload must still reach the agent as a {@code 503}), for a body of
     * up to 64 MiB. A refusal anyone can provoke (401, 403, 404 before authorization) and every 408 get a brief one,
     * and only for a declared body of at most 64 KiB, or clients without a token trickling their bodies could hold a thread
     * each until the server had none left. Clients that must see the answer to a large refused body send
     * {@code Expect: 100-continue} (curl does for bodies over 1 MiB).
     */
    private static void drainRefusedBody(Context ctx, int status) {
        boolean authorized = status != 408 && Boolean.TRUE.equals(ctx.attribute(AUTHORIZED));
        Drain drain = authorized ? AFTER_AUTHORIZATION : BRIEF;
        String length = ctx.header("Content-Length");
        try {
            // a body declared larger than the drain takes is not read at all; nor one the client holds back until
            // it hears from us (Expect: 100-continue): reading would tell it to send
            if (ctx.header("Expect") != null
                    || (length == null ? !authorized : Long.parseLong(length.trim()) > drain.maxBytes())) {
                return;
            }
        } catch (NumberFormatException e) {
            return;
        }
        drain(ctx, drain);
    }

    private static void drain(Context ctx, Drain drain) {
        EndPoint endPoint = null;
        long idle = 0;
        try {
            endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                    .getConnection().getEndPoint();
            idle = endPoint.getIdleTimeout();
            endPoint.setIdleTimeout(drain.silence().toMillis());
            long deadline = System.nanoTime() + drain.deadline().toNanos();
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            long left = drain.maxBytes();
            for (int n = 0; n >= 0 && left > 0 && System.nanoTime() < deadline; n = in.read(buffer)) {
                left -= n;
            }
        } catch (IOException | RuntimeException ignored) {
            // silent too long, or the client went away: answer regardless
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
