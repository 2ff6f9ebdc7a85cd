package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

/** Restores of missing databases that an operator asked for with a restore request (a pinned version). */
@FunctionalInterface
public interface RequestedRestores {
    /** No restore requests: every missing database gets its latest snapshot. */
    RequestedRestores NONE = (database, target) -> Optional.empty();

    /**
     * Applies the pending request for {@code database}, if one applies to this machine, into the missing
     * {@code target}.
     *
     * @return the restore made, or empty when no request applies (the latest snapshot is restored then)
     * @throws IOException and the rest when the requested restore failed (it is reported to the server as failed)
     */
    Optional<RestoreResult> restoreIfRequested(String database, Path target)
            throws IOException, SQLException, ApiException, InterruptedException;
}
