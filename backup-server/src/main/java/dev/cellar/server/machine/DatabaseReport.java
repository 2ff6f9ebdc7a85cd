package dev.cellar.server.machine;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Instant;

/**
 * What a machine's agent last said about one of its databases. The agent keeps this in memory from its snapshot
 * outcomes; older agents send the name only, and records they left hold plain names, which read as a report with
 * nothing but the name.
 *
 * @param lastBackupAt its last successful upload or "unchanged" outcome (never later than the heartbeat itself)
 * @param lastError    the last failed snapshot's error, shortened and stripped of control characters
 * @param failures     failed attempts reported since the last success, counted by the server (distinct
 *                     {@code lastErrorAt}s), so a heartbeat repeating one error counts it once
 * @param sizeBytes    the database file's size at the last snapshot, or null
 */
public record DatabaseReport(String name, Instant lastBackupAt, String lastError, Instant lastErrorAt,
                             Long sizeBytes, int failures) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static DatabaseReport ofName(String name) {
        return new DatabaseReport(name, null, null, null, null, 0);
    }

    /** Whether the last error came after the last success. */
    public boolean failingSinceSuccess() {
        return lastErrorAt != null && (lastBackupAt == null || lastErrorAt.isAfter(lastBackupAt));
    }

    /**
     * This report with its failure count carried on from the machine's previous report of the database: the same
     * error seen again keeps the count, a new error after no success adds one, a success resets it.
     */
    DatabaseReport countedAfter(DatabaseReport previous) {
        int count;
        if (!failingSinceSuccess()) {
            count = 0;
        } else if (previous == null || !previous.failingSinceSuccess()) {
            count = 1;
        } else if (lastErrorAt.equals(previous.lastErrorAt())) {
            count = Math.max(1, previous.failures());
        } else {
            count = previous.failures() + 1;
        }
        return new DatabaseReport(name, lastBackupAt, lastError, lastErrorAt, sizeBytes, count);
    }
}
