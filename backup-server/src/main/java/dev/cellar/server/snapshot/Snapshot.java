package dev.cellar.server.snapshot;

import java.time.Instant;

/**
 * One stored snapshot of one database.
 *
 * @param sizeBytes   size of the database image
 * @param storedBytes size of the stored (zstd) object
 * @param sha256      hex SHA-256 of the database image
 * @param machineId   the machine that uploaded it, or null
 * @param verifiedAt  when a restore drill last checked it, or null
 * @param verification null (never checked), "ok" or what the check found
 */
public record Snapshot(
        String tenant,
        String database,
        String version,
        Instant createdAt,
        long sizeBytes,
        long storedBytes,
        String sha256,
        String machineId,
        Instant verifiedAt,
        String verification) {
}
