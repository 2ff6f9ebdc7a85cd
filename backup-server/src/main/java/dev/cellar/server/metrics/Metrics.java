package dev.cellar.server.metrics;

import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.jobs.JobRun;

/**
 * What the rest of the server tells the metrics: one call at the place where a thing happened, no logic there.
 * {@link #NONE} records nothing (parts built on their own, as in tests); {@link PrometheusMetrics} is the real one.
 */
public interface Metrics {
    Metrics NONE = new Metrics() {
    };

    /** An upload ended well: a new snapshot of {@code storedBytes} stored, or {@code stored=false} for "unchanged". */
    default void uploaded(String tenant, boolean stored, long storedBytes, long nanos) {
    }

    /** A snapshot was sent to a client (a restore): {@code plain} for the SQLite form, else the stored zstd form. */
    default void downloaded(String tenant, boolean plain, long bytes, long nanos) {
    }

    /** A request got the JSON error {@code code} with {@code status} (4xx refusals, 503 busy, 500). */
    default void refused(int status, String code) {
    }

    /** Object storage failed while answering a request. */
    default void storageFailed() {
    }

    /** A restore drill ended (or could not run), whoever started it: the nightly job, the API, the admin page. */
    default void drilled(DrillRun.Result result) {
    }

    /** A nightly job ran, on the schedule or for an admin. */
    default void jobFinished(JobRun run) {
    }
}
