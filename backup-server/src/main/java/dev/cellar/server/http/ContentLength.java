package dev.cellar.server.http;

import io.javalin.http.Context;

/** The request's declared body length, read from the header: Javalin's {@code contentLength()} is an int. */
public final class ContentLength {
    private ContentLength() {
    }

    /** The declared length, -1 when the header is absent (chunked), or 400 when it is not a number. */
    public static long of(Context ctx) {
        String header = ctx.header("Content-Length");
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("bad_request", "Content-Length is not a number");
        }
    }
}
