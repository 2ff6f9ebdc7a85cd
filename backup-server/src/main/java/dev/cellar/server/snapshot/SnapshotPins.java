package dev.cellar.server.snapshot;

import java.util.Optional;
import java.util.Set;

/** What keeps a snapshot from being deleted: a restore that still needs it. */
public interface SnapshotPins {
    /** Why {@code version} must stay (for the error message), or empty when it may go. */
    Optional<String> pinned(String tenant, String database, String version);

    /** Every pinned version of a database, read at once: what retention checks before deleting a batch. */
    Set<String> pinnedVersions(String tenant, String database);
}
