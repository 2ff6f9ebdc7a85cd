package dev.cellar.agent.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error status. {@code code} is the API's error code ({@code not_found},
 * {@code digest_mismatch}, ...) or {@code http_<status>} when the body was not an API error.
 */
public class ApiException extends Exception {
    private final int status;
    private final String code;
    private final Optional<Duration> retryAfter;

    public ApiException(int status, String code, String message, Optional<Duration> retryAfter) {
        super("server answered " + status + " " + code + (message.isEmpty() ? "" : ": " + message));
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** 5xx, 408 and 429 may succeed later; every other 4xx will fail the same way again. */
    public boolean retryable() {
        return status >= 500 || status == 408 || status == 429;
    }
}
