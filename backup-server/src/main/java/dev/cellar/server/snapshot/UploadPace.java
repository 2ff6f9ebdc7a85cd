package dev.cellar.server.snapshot;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Watches an upload body's progress. The connection's idle timeout ends a client that stops sending, but each byte
 * resets it: a client trickling a byte a second would hold its upload slot for ever. This refuses a body whose
 * average rate, after a grace period, falls below the minimum, and any body that takes longer than the deadline.
 * The rate counts only the time spent waiting for the client: when storage is slow and the server stops reading,
 * the client is not to blame.
 */
final class UploadPace {
    private final UploadLimits limits;
    private final LongSupplier nanoTime;
    private final long started;

    /** The client sent too slowly or for too long; {@code code} says which. */
    static final class TooSlowException extends IOException {
        private final String code;

        TooSlowException(String code, String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    UploadPace(UploadLimits limits, LongSupplier nanoTime) {
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    /** Called after each read with the bytes received so far and the time spent waiting for them. */
    void check(long received, long waitedNanos) throws TooSlowException {
        long elapsed = nanoTime.getAsLong() - started;
        if (elapsed > limits.deadline().toNanos()) {
            throw new TooSlowException("upload_deadline", "the upload took longer than "
                    + limits.deadline().toSeconds() + " s (BACKUP_UPLOAD_DEADLINE); " + received + " bytes came");
        }
        long rated = waitedNanos - limits.rateGrace().toNanos();
        if (rated > 0 && received < (double) limits.minBytesPerSecond() * rated / 1e9) {
            throw new TooSlowException("upload_too_slow", "the body arrived at less than "
                    + limits.minBytesPerSecond() + " bytes a second (BACKUP_UPLOAD_MIN_RATE): " + received
                    + " bytes in " + waitedNanos / 1_000_000 + " ms of waiting for them");
        }
    }
}
