package dev.cellar.agent.requests;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import dev.cellar.agent.restore.Restorer;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.snapshot.Snapshotter;
import dev.cellar.agent.snapshot.UploadState;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls a database back while the app runs, as a restore request asks: claim the request; hold the database's
 * snapshot lock so that no snapshot runs meanwhile; upload a pre-restore snapshot (the server's copy of the current
 * content, so no local copy is kept on the volume); copy the requested version into the database through SQLite's
 * backup API, which open connections see at their next transaction; report the outcome, naming the pre-restore
 * version. A failure at any step leaves the database exactly as it was.
 */
public final class LiveRestore {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRestore.class);

    private final RestoreRequests requests;
    private final DatabaseResolver databases;
    private final Snapshotter snapshotter;
    private final Restorer restorer;
    private final UploadState state;

    public LiveRestore(RestoreRequests requests, DatabaseResolver databases, Snapshotter snapshotter,
                       Restorer restorer, UploadState state) {
        this.requests = requests;
        this.databases = databases;
        this.snapshotter = snapshotter;
        this.restorer = restorer;
        this.state = state;
    }

    /** Applies those of {@code pending} that concern a database present on this machine, oldest first. */
    public void applyAll(List<RestoreRequest> pending) throws InterruptedException {
        for (RestoreRequest r : pending) {
            if (requests.handled(r)) {
                continue;
            }
            if (r.running() && !r.claimedBy().equals(Optional.of(requests.machineId()))) {
                requests.skip(r, "machine " + r.claimedBy().orElse("?") + " is applying it");
                continue;
            }
            Optional<Database> db = present(r.database());
            if (db.isEmpty()) {
                requests.skip(r, databases.pathFor(r.database()).isEmpty()
                        ? "the database is not configured on this machine"
                        : "the database file is missing; the next boot restores it");
            } else if (r.onlyIfMissing()) {
                requests.skip(r, "only a machine whose database file is missing may apply it");
            } else {
                apply(r, db.get());
            }
        }
    }

    private void apply(RestoreRequest r, Database db) throws InterruptedException {
        try {
            if (!requests.claim(r).claimed()) {
                return;
            }
        } catch (IOException | ApiException | RuntimeException e) {
            LOG.warn("event=restore_request.claim_failed id={} database={} error={} consequence=\"tried again at the"
                    + " next heartbeat\"", r.id(), r.database(), Kv.quote(BootRequests.describe(e)));
            return;
        }
        String preRestore;
        try {
            preRestore = snapshotter.exclusive(db, snapshot -> {
                SnapshotResult before = snapshot.take();
                String version = before.version().orElseThrow(() ->
                        new IOException("the pre-restore snapshot has no version on the server"));
                LOG.info("event=restore_request.pre_restore_snapshot id={} database={} version={}", r.id(),
                        db.name(), version);
                // after the restore the server's latest is the pre-restore snapshot, not the restored content:
                // the next snapshot must be sent, and the server decides whether it is new
                state.forget(db);
                restorer.restore(db.name(), SnapshotSelector.version(r.version()), db.path(), true);
                return version;
            });
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            requests.finish(r, RestoreRequest.FAILED, "restoring " + r.version() + " failed: "
                    + BootRequests.describe(e) + " (the database was left as it was)");
            return;
        }
        requests.finish(r, RestoreRequest.COMPLETED, "restored " + r.version() + " into " + db.path()
                + "; pre-restore snapshot " + preRestore);
    }

    private Optional<Database> present(String name) {
        try {
            return databases.present().stream().filter(d -> d.name().equals(name)).findFirst();
        } catch (IOException e) {
            LOG.warn("event=database.scan_failed error={}", Kv.quote(e.toString()));
            return Optional.empty();
        }
    }
}
