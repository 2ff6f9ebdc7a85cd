package dev.cellar.server.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run of one nightly job, as stored in the bucket and shown by {@code GET /api/v1/jobs}.
 *
 * @param trigger      {@code schedule} (the nightly chain) or {@code admin} (run now)
 * @param scheduledFor the firing the run belongs to; null for an admin's run
 * @param outcome      {@code ok}, or {@code failed} when the job reported errors or could not run at all
 * @param instance     the server instance that ran it
 */
public record JobRun(String job, String trigger, Instant scheduledFor, Instant startedAt, Instant finishedAt,
                     String outcome, Map<String, Long> counts, List<String> errors, String instance) {
    public static final String SCHEDULE = "schedule";
    public static final String ADMIN = "admin";
}
