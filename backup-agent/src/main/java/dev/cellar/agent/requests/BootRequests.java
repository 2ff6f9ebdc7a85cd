package dev.cellar.agent.requests;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.log.Kv;
import dev.cellar.agent.restore.NothingToRestoreException;
import dev.cellar.agent.restore.RequestedRestores;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.restore.Restorer;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore requests as the heartbeat sent at boot found them. A missing database with a pending request gets
 * the request's version (claimed first; if another machine has it, the latest snapshot instead); the requests for
 * databases that exist are left for the running agent ({@link #pending()}).
 */
public final class BootRequests implements RequestedRestores {
    private static final Logger LOG = LoggerFactory.getLogger(BootRequests.class);

    private final RestoreRequests requests;
    private final Restorer restorer;
    private final List<RestoreRequest> pending;
    private final Optional<ServerUnavailableException> unreachable;

    private BootRequests(RestoreRequests requests, Restorer restorer, List<RestoreRequest> pending,
                         Optional<ServerUnavailableException> unreachable) {
        this.requests = requests;
        this.restorer = restorer;
        this.pending = pending;
        this.unreachable = unreachable;
    }

    /**
     * Sends the boot heartbeat. A server that cannot be reached is remembered: a missing database then cannot be
     * restored safely (a request may pin a version). Any other failure (a server without restore requests, say) is
     * logged and the missing databases get their latest snapshots.
     */
    public static BootRequests fetch(RestoreRequests requests, Restorer restorer) throws InterruptedException {
        try {
            return new BootRequests(requests, restorer, requests.heartbeat(), Optional.empty());
        } catch (ServerUnavailableException e) {
            LOG.warn("event=heartbeat.failed phase=boot error={}", Kv.quote(e.getMessage()));
            return new BootRequests(requests, restorer, List.of(), Optional.of(e));
        } catch (IOException | ApiException | RuntimeException e) {
            LOG.warn("event=heartbeat.failed phase=boot error={} consequence=\"missing databases get their latest"
                    + " snapshot\"", Kv.quote(e.getMessage()));
            return new BootRequests(requests, restorer, List.of(), Optional.empty());
        }
    }

    /** The pending requests the boot heartbeat returned (those applied at boot are marked handled). */
    public List<RestoreRequest> pending() {
        return pending;
    }

    @Override
    public Optional<RestoreResult> restoreIfRequested(String database, Path target)
            throws IOException, SQLException, ApiException, InterruptedException {
        if (unreachable.isPresent()) {
            throw unreachable.get(); // a request may pin a version: the latest is not safe to take either
        }
        Optional<RestoreRequest> request = RestoreRequests.newestFor(pending, database);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        RestoreRequest r = request.get();
        if (!requests.claim(r)) {
            LOG.warn("event=restore_request.fallback id={} database={} reason=\"the request could not be claimed:"
                    + " restoring the latest snapshot instead\"", r.id(), database);
            return Optional.empty();
        }
        try {
            RestoreResult done = restorer.restore(database, SnapshotSelector.version(r.version()), target, false);
            requests.finish(r, RestoreRequest.COMPLETED, "restored " + done.version() + " into " + target);
            return Optional.of(done);
        } catch (NothingToRestoreException e) {
            requests.finish(r, RestoreRequest.FAILED, "restoring " + r.version() + " failed: " + e.getMessage());
            throw new IOException("restore request " + r.id() + ": " + e.getMessage(), e);
        } catch (IOException | SQLException | ApiException | RuntimeException e) {
            requests.finish(r, RestoreRequest.FAILED, "restoring " + r.version() + " failed: " + describe(e));
            throw e;
        }
    }

    static String describe(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
