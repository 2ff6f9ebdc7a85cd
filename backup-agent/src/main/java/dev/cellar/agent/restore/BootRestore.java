package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.config.DatabaseResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before the app starts: every database that should be on this machine but whose file is missing is restored
 * from its latest snapshot. A database the server has never seen is left for the app to create. Anything else
 * that goes wrong is thrown, so that the app does not start on an empty database while a backup exists.
 */
public final class BootRestore {
    private static final Logger LOG = LoggerFactory.getLogger(BootRestore.class);

    private final DatabaseResolver databases;
    private final Restorer restorer;

    public BootRestore(DatabaseResolver databases, Restorer restorer) {
        this.databases = databases;
        this.restorer = restorer;
    }

    /**
     * @param serverDatabases names the server holds snapshots for, which glob entries cannot spell out
     * @return the restores made
     */
    public List<RestoreResult> restoreMissing(List<String> serverDatabases)
            throws IOException, SQLException, ApiException, InterruptedException {
        Set<String> names = new LinkedHashSet<>(databases.namedDatabases());
        if (databases.hasGlobs()) {
            names.addAll(serverDatabases);
        }
        List<RestoreResult> done = new ArrayList<>();
        for (String name : names) {
            Optional<Path> target = databases.pathFor(name);
            if (target.isEmpty()) {
                LOG.warn("event=restore.skipped database={} reason=\"no path in BACKUP_DATABASES; name it as name=path\"",
                        name);
                continue;
            }
            if (Files.exists(target.get())) {
                continue;
            }
            try {
                done.add(restorer.restore(name, SnapshotSelector.latest(), target.get(), false));
            } catch (NothingToRestoreException e) {
                LOG.info("event=restore.nothing database={} target={} reason=\"no snapshot on the server: a new database\"",
                        name, target.get());
            }
        }
        return done;
    }
}
