package dev.cellar.server.jobs;

/**
 * One job of the nightly chain (retention, drills, stale detection, housekeeping). The scheduler's Quartz job and
 * the admin's "run now" both call {@link #runOnce()}; tests call it directly.
 *
 * <p>Every implementation must be safe when two instances run it at the same time over one bucket: deletions are
 * idempotent and results are written so that a second writer cannot corrupt them.
 */
public interface NightlyJob {

    /** A short, stable name used in routes, logs and the bucket: {@code retention}, {@code drills}, ... */
    String name();

    /**
     * Runs the job over the whole fleet with bounded memory and bounded concurrency, and reports what it did.
     * Failures of one tenant or database are counted and reported, not thrown; an exception means the job as a
     * whole could not run (the store is unreachable, say).
     */
    JobReport runOnce();
}
