package dev.cellar.server.http;

import java.util.Map;

/**
 * A request the server refuses, with the status, the machine-readable code and a message for people. Thrown by
 * handlers; {@link ErrorMapping} turns it into {@code {"error": code, "message": message}}.
 */
public class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message, Map.of("WWW-Authenticate", "Bearer"));
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    public static ApiError conflict(String code, String message) {
        return new ApiError(409, code, message);
    }

    public static ApiError timeout(String code, String message) {
        return new ApiError(408, code, message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "too_large", message);
    }

    public static ApiError unsupportedMediaType(String message) {
        return new ApiError(415, "unsupported_media_type", message);
    }

    public static ApiError unprocessable(String code, String message) {
        return new ApiError(422, code, message);
    }

    public static ApiError unavailable(String code, String message, int retryAfterSeconds) {
        return new ApiError(503, code, message, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }
}
