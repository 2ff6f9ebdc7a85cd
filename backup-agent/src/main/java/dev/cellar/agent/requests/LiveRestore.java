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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls a database back while the app runs, as a restore request asks: claim the request; hold the database's
 * snapshot lock so that no snapshot runs meanwhile; download and verify the requested version; under the database's
 * write lock, copy the current content and copy the requested version in through SQLite's backup API, which open
 * connections see at their next transaction; upload the copy as the pre-restore snapshot (then delete it, so the
 * volume is spared a second database); report the outcome, naming the pre-restore version. A failure before the
 * install leaves the database exactly as it was; a failed upload of the copy keeps the copy on the volume.
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
        String done;
        try {
            done = snapshotter.exclusive(db, snapshot -> rollBack(r, db, snapshot));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            requests.finish(r, RestoreRequest.FAILED, "restoring " + r.version() + " failed: "
                    + BootRequests.describe(e) + " (the database was left as it was)");
            return;
        }
        requests.finish(r, RestoreRequest.COMPLETED, done);
    }

    /**
     * Download and verify first, so that the app writes on meanwhile; then copy the current content and install the
     * verified image back to back under the database's write lock, so that every commit of the app is in the copy
     * or comes after the install; then upload the copy as the pre-restore snapshot.
     */
    private String rollBack(RestoreRequest r, Database db, Snapshotter.HeldSnapshot snapshot) throws Exception {
        Path copy;
        try (Restorer.Verified verified = restorer.fetch(db.name(), SnapshotSelector.version(r.version()),
                db.path().toAbsolutePath().getParent())) {
            copy = restorer.install(verified, db.path(), false).preRestoreCopy().orElseThrow();
        }
        // the server's latest is about to be the pre-restore snapshot, not the restored content: the next
        // snapshot must be sent, and the server decides whether it is new
        state.forget(db);
        String restored = "restored " + r.version() + " into " + db.path();
        try {
            SnapshotResult before = snapshot.takeFrom(copy);
            String version = before.version().orElseThrow(() ->
                    new IOException("the pre-restore snapshot has no version on the server"));
            LOG.info("event=restore_request.pre_restore_snapshot id={} database={} version={}", r.id(), db.name(),
                    version);
            state.forget(db);
            Files.deleteIfExists(copy);
            return restored + "; pre-restore snapshot " + version;
        } catch (IOException | SQLException | ApiException e) {
            state.forget(db);
            LOG.error("event=restore_request.pre_restore_upload_failed id={} database={} copy={} error={}", r.id(),
                    db.name(), copy, Kv.quote(BootRequests.describe(e)));
            return restored + "; the pre-restore snapshot could not be uploaded (" + BootRequests.describe(e)
                    + "): the content before the restore is kept in " + copy;
        }
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
