package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.client.SkippedVersion;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.client.SnapshotPage;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.log.Kv;
import dev.cellar.core.SnapshotVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A missing database at boot gets the newest snapshot that verifies: a newest snapshot whose image is damaged (it
 * passed the server's header and length check on upload, but its b-trees are broken) must not keep the app from
 * starting while an older good version exists. Versions a restore drill found damaged ({@code verification} is a
 * failure text) are skipped without a download. Every skipped version is logged (WARN) and remembered for the
 * heartbeats. Pinned versions (restore requests, {@code restore --version}) never come here: they never fall back.
 */
final class NewestVerifying {
    private static final Logger LOG = LoggerFactory.getLogger(NewestVerifying.class);
    /** Versions downloaded and checked before giving up: a bound on the boot time a run of damaged versions costs. */
    static final int MAX_TRIED = 5;
    /** Versions looked at in the listing (most skipped for a failed drill) before giving up. */
    static final int MAX_LISTED = 100;
    private static final int PAGE = 50;

    private final Restorer restorer;
    private final BackupClient client;
    private final Retrier retrier;
    private final SkippedVersions skipped;

    NewestVerifying(Restorer restorer, BackupClient client, Retrier retrier, SkippedVersions skipped) {
        this.restorer = restorer;
        this.client = client;
        this.retrier = retrier;
        this.skipped = skipped;
    }

    RestoreResult restore(String database, Path target)
            throws IOException, SQLException, ApiException, InterruptedException, NothingToRestoreException {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        int listed = 0;
        String newest = null;
        Optional<String> before = Optional.empty();
        do {
            SnapshotPage page = page(database, before);
            for (SnapshotInfo s : page.snapshots()) {
                if (listed++ == MAX_LISTED || tried == MAX_TRIED) {
                    throw gaveUp(database, failures, "the agent tries at most " + MAX_TRIED + " versions and looks"
                            + " at most " + MAX_LISTED + " back");
                }
                newest = newest == null ? s.version() : newest;
                if (SnapshotVersion.parse(s.version()).isEmpty()) {
                    // it would go into a request path: never asked for, nor reported back
                    LOG.warn("event=restore.version_skipped database={} version={} reason=\"the server listed an"
                            + " invalid version\"", database, Kv.quote(s.version()));
                    continue;
                }
                Optional<String> drill = s.verification().filter(v -> !v.equals("ok"));
                if (drill.isPresent()) {
                    skip(database, s.version(), "a restore drill found it damaged: " + drill.get(), failures);
                    continue;
                }
                tried++;
                try {
                    RestoreResult r = restorer.restore(database, SnapshotSelector.version(s.version()), target, false);
                    if (!s.version().equals(newest)) {
                        LOG.warn("event=restore.older_version database={} version={} newest={} skipped={}"
                                + " reason=\"the newer versions failed verification\"", database, s.version(), newest,
                                failures.size());
                    }
                    return r;
                } catch (RestoreVerificationException e) {
                    skip(database, s.version(), e.getMessage(), failures);
                }
            }
            before = page.next();
        } while (before.isPresent());
        if (newest == null) {
            throw new NothingToRestoreException("the server holds no snapshot of " + database);
        }
        // snapshots exist, none of them verifies: that is no "new database" the app may create empty
        throw gaveUp(database, failures, "no older version is left");
    }

    private SnapshotPage page(String database, Optional<String> before)
            throws IOException, ApiException, InterruptedException, NothingToRestoreException {
        try {
            return retrier.call("listing of " + database, () -> client.list(database, PAGE, before));
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw new NothingToRestoreException("the server holds no snapshot of " + database);
            }
            throw e;
        }
    }

    private void skip(String database, String version, String reason, List<String> failures) {
        LOG.warn("event=restore.version_skipped database={} version={} reason={}", database, Kv.quote(version),
                Kv.quote(reason));
        skipped.add(new SkippedVersion(database, version, reason));
        failures.add(version + ": " + reason);
    }

    private static RestoreVerificationException gaveUp(String database, List<String> failures, String why) {
        return new RestoreVerificationException("no snapshot of " + database + " verifies (" + why + "): "
                + String.join("; ", failures));
    }
}
