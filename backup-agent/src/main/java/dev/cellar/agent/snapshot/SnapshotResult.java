package dev.cellar.agent.snapshot;

import dev.cellar.agent.config.Database;
import dev.cellar.agent.progress.Phases;
import java.time.Duration;
import java.util.Optional;

/**
 * What one snapshot of one database came to.
 *
 * @param version     the version the server holds for this image; empty when skipped without asking the server
 * @param storedBytes compressed bytes sent; 0 when nothing was sent
 */
public record SnapshotResult(Database database, Outcome outcome, String sha256, Optional<String> version,
                             long sizeBytes, long storedBytes, Duration took, Phases phases) {
    public enum Outcome {
        /** a new snapshot is stored on the server */
        UPLOADED,
        /** identical to what this agent last uploaded: nothing was sent */
        UNCHANGED,
        /** sent, and the server already held it as the latest snapshot */
        UNCHANGED_ON_SERVER
    }
}
