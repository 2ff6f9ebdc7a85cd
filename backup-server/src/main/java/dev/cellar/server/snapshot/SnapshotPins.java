package dev.cellar.server.snapshot;

import java.util.Optional;

/** What keeps a snapshot from being deleted: a restore that still needs it. */
@FunctionalInterface
public interface SnapshotPins {
    /** Why {@code version} must stay (for the error message), or empty when it may go. */
    Optional<String> pinned(String tenant, String database, String version);
}
