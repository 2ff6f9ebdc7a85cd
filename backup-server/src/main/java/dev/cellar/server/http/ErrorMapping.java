package dev.cellar.server.http;

import dev.cellar.server.storage.StorageException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.OutputStream;
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
        drainSmallBody(ctx);
        ctx.res().reset();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", e.code());
        body.put("message", e.getMessage());
        e.headers().forEach(ctx::header);
        ctx.status(e.status()).json(body);
    }

    /**
     * Reads what is left of a refused request body, up to {@link #DRAIN_LIMIT} bytes, so a client still sending a
     * small body gets the answer instead of a reset connection. A larger rest is not read: the container closes the
     * connection after the answer, and clients that must see it send {@code Expect: 100-continue} (curl does for
     * bodies over 1 MiB) and then never send the body at all.
     */
    private static void drainSmallBody(Context ctx) {
        String length = ctx.header("Content-Length");
        try {
            if (length == null || Long.parseLong(length.trim()) <= DRAIN_LIMIT) {
                ctx.req().getInputStream().transferTo(new BoundedSink(DRAIN_LIMIT));
            }
        } catch (IOException | NumberFormatException | IllegalStateException ignored) {
            // nothing more to read, more than we read for free, or the client went away: answer regardless
        }
    }

    /** Swallows bytes, and fails once more than {@code limit} have come. */
    private static final class BoundedSink extends OutputStream {
        private long left;

        BoundedSink(long limit) {
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[1], 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            left -= len;
            if (left < 0) {
                throw new IOException("refused body larger than the drain limit");
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
