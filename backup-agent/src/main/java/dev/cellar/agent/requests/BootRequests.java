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
 * The restore requests as the heartbeat sent at boot found them. A missing database with an open request gets the
 * request's version, never another (a request another machine holds stops the boot); the requests for databases
 * that exist are left for the running agent ({@link #pending()}).
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

    /**
     * While a request is open for a missing database, nothing else is restored into it: the newest open request
     * is claimed (or resumed, when this machine claimed it before a restart, or taken over when its holder's lease
     * has lapsed) and its pinned version restored. Only a request that has ended meanwhile lets the latest
     * snapshot be restored instead.
     *
     * @throws RequestHeldElsewhereException when another machine holds the request: the app must not start
     */
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
        RestoreRequests.Claim claim = requests.claim(r);
        if (claim.heldElsewhere()) {
            throw new RequestHeldElsewhereException("database " + database + " is missing (" + target + ") and"
                    + " restore request " + r.id() + " for it is being applied by another machine ("
                    + claim.refusal().orElseThrow().getMessage() + "): nothing else is restored while it is open, so"
                    + " the app is not started; cancel the request, or restart once its lease has lapsed");
        }
        if (!claim.claimed()) {
            LOG.warn("event=restore_request.fallback id={} database={} reason=\"the request has ended or is not for"
                    + " this machine: restoring the latest snapshot instead\"", r.id(), database);
            return Optional.empty();
        }
        String done = "restored " + r.version() + " into " + target;
        try {
            RestoreResult result = restorer.restore(database, SnapshotSelector.version(r.version()), target, false,
                    version -> requests.completing(r, done, target));
            requests.finish(r, RestoreRequest.COMPLETED, done);
            return Optional.of(result);
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
