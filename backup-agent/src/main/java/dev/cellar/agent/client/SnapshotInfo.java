package dev.cellar.agent.client;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot as the server describes it (the API's Snapshot JSON).
 *
 * @param sizeBytes  size of the database image
 * @param storedBytes size of the stored, compressed form
 * @param sha256     hex SHA-256 of the database image
 * @param unchanged  true when an upload matched the latest snapshot and nothing new was stored
 */
public record SnapshotInfo(String tenant, String database, String version, Instant createdAt, long sizeBytes,
                           long storedBytes, String sha256, Optional<String> machineId, Optional<Instant> verifiedAt,
                           Optional<String> verification, boolean unchanged) {

    static SnapshotInfo fromJson(Map<String, Object> json) {
        return new SnapshotInfo(
                Json.string(json, "tenant"),
                Json.string(json, "database"),
                Json.string(json, "version"),
                Instant.parse(Json.string(json, "createdAt")),
                Json.number(json, "sizeBytes"),
                Json.number(json, "storedBytes"),
                Json.string(json, "sha256"),
                Json.optionalString(json, "machineId"),
                Json.optionalString(json, "verifiedAt").map(Instant::parse),
                Json.optionalString(json, "verification"),
                Boolean.TRUE.equals(json.get("unchanged")));
    }
}
