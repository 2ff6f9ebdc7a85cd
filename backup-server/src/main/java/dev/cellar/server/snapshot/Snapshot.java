package dev.cellar.server.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;
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
    public static final String UNVERIFIED = "unverified";
    public static final String VERIFIED = "verified";
    public static final String FAILED = "failed";

    /**
     * What is known of the stored image's health, said plainly: on upload the server checks the header, the length
     * and the digest only (and {@code quick_check} with {@code BACKUP_VERIFY_ON_UPLOAD=quick}), so a snapshot stays
     * {@code unverified} until a restore drill has restored it and run {@code integrity_check}.
     */
    @JsonProperty("integrity")
    public String integrity() {
        if (verification == null) {
            return UNVERIFIED;
        }
        return Verifications.OK.equals(verification) ? VERIFIED : FAILED;
    }
}
