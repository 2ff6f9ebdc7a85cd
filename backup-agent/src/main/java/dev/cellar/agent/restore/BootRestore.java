package dev.cellar.agent.restore;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.snapshot.UploadState;
import java.io.IOException;
import java.net.URI;
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
 * Before the app starts: every database that should be on this machine but whose file is missing is restored,
 * from the version a pending restore request pins or else from its latest snapshot. A database the server has never
 * seen is left for the app to create. Anything else that goes wrong is thrown, so that the app does not start on
 * an empty database while a backup exists; in particular a server that cannot be reached stops the boot, since
 * nobody can tell whether a backup exists, unless {@code BACKUP_ALLOW_EMPTY_START} accepts that risk.
 */
public final class BootRestore {
    private static final Logger LOG = LoggerFactory.getLogger(BootRestore.class);

    /** The names of the databases the server holds for the tenant. */
    @FunctionalInterface
    public interface ServerDatabases {
        List<String> list() throws IOException, ApiException, InterruptedException;
    }

    /** What the boot restore needs to know besides the databases. */
    public record Settings(URI server, boolean allowEmptyStart) {
    }

    private final DatabaseResolver databases;
    private final Restorer restorer;
    private final UploadState state;
    private final Settings settings;

    public BootRestore(DatabaseResolver databases, Restorer restorer, UploadState state, Settings settings) {
        this.databases = databases;
        this.restorer = restorer;
        this.state = state;
        this.settings = settings;
    }

    /**
     * @param serverDatabases lists the names the server holds snapshots for, which glob entries cannot spell out
     * @param requested       restores that pending restore requests ask for
     * @return the restores made
     */
    public List<RestoreResult> restoreMissing(ServerDatabases serverDatabases, RequestedRestores requested)
            throws IOException, SQLException, ApiException, InterruptedException {
        Set<String> names = new LinkedHashSet<>(databases.namedDatabases());
        if (databases.hasGlobs()) {
            names.addAll(listServerDatabases(serverDatabases));
        }
        List<RestoreResult> done = new ArrayList<>();
        for (String name : names) {
            Optional<Path> target = databases.pathFor(name);
            if (target.isEmpty()) {
                LOG.warn("event=restore.skipped database={} reason=\"no path in BACKUP_DATABASES; name it as name=path\"",
                        name);
                continue;
            }
            if (!Files.exists(target.get())) {
                restore(name, target.get(), requested).ifPresent(done::add);
            }
        }
        return done;
    }

    private Optional<RestoreResult> restore(String name, Path target, RequestedRestores requested)
            throws IOException, SQLException, ApiException, InterruptedException {
        try {
            Optional<RestoreResult> r = requested.restoreIfRequested(name, target);
            if (r.isEmpty()) {
                r = Optional.of(restorer.restoreNewestVerifying(name, target));
            }
            state.forget(new Database(name, target));
            return r;
        } catch (NothingToRestoreException e) {
            LOG.info("event=restore.nothing database={} target={} reason=\"no snapshot on the server: a new database\"",
                    name, target);
            return Optional.empty();
        } catch (ServerUnavailableException e) {
            if (settings.allowEmptyStart()) {
                LOG.error("event=restore.empty_start database={} target={} server={} reason=\"the server could not be"
                        + " reached and BACKUP_ALLOW_EMPTY_START=true: the app starts without this database\"",
                        name, target, settings.server());
                return Optional.empty();
            }
            throw new ServerUnavailableException("database " + name + " is missing (" + target + ") and the backup"
                    + " server " + settings.server() + " could not be reached, so nobody can tell whether a backup of"
                    + " it exists: the app is not started (BACKUP_ALLOW_EMPTY_START=true would start it without the"
                    + " database)", e);
        }
    }

    private List<String> listServerDatabases(ServerDatabases serverDatabases)
            throws IOException, ApiException, InterruptedException {
        try {
            return serverDatabases.list();
        } catch (ServerUnavailableException e) {
            if (settings.allowEmptyStart()) {
                LOG.error("event=restore.empty_start server={} reason=\"the server could not be reached to list the"
                        + " tenant's databases and BACKUP_ALLOW_EMPTY_START=true: only the databases named in"
                        + " BACKUP_DATABASES are checked\"", settings.server());
                return List.of();
            }
            throw new ServerUnavailableException("the backup server " + settings.server() + " could not be reached"
                    + " to list the databases that BACKUP_DATABASES' glob may hold, so nobody can tell whether one is"
                    + " missing: the app is not started (BACKUP_ALLOW_EMPTY_START=true would start it anyway)", e);
        }
    }
}
