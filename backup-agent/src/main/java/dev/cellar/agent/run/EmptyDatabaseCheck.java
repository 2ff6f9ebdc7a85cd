package dev.cellar.agent.run;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Just before the app starts: finds the databases that are on disk but hold no data while the server holds a
 * backup of them, and says so loudly. That is what a database created by the app's own setup before the agent
 * could restore it looks like (Rails' {@code bin/docker-entrypoint} runs {@code db:prepare}, which creates the
 * schema and nothing else): the backup is still on the server, but nothing restores a database whose file exists.
 * "No data" means every table is empty apart from SQLite's own and Rails' bookkeeping ({@code schema_migrations},
 * {@code ar_internal_metadata}), which {@code db:prepare} fills. The check only warns: the app starts as before.
 */
public final class EmptyDatabaseCheck {
    private static final Logger LOG = LoggerFactory.getLogger(EmptyDatabaseCheck.class);
    /** Tables a framework fills when it creates a database: rows there are not the tenant's data. */
    static final Set<String> BOOKKEEPING = Set.of("schema_migrations", "ar_internal_metadata");

    /** A database that holds no data while the server holds {@code latest} of it. */
    public record Finding(Database database, SnapshotInfo latest) {
    }

    private final DatabaseResolver databases;
    private final BackupClient client;

    public EmptyDatabaseCheck(DatabaseResolver databases, BackupClient client) {
        this.databases = databases;
        this.client = client;
    }

    /**
     * Checks every present database but those in {@code restored} (restored just now: whatever they hold is the
     * backup), logs an error for each finding and returns them. It never stops the boot and never delays it by
     * retries: one request per database that holds no data, and a server that does not answer skips the check.
     */
    public List<Finding> run(Set<String> restored) {
        List<Finding> findings = new ArrayList<>();
        List<Database> present;
        try {
            present = databases.present();
        } catch (IOException e) {
            LOG.warn("event=empty_check.skipped error={}", Kv.quote(e.toString()));
            return findings;
        }
        for (Database db : present) {
            if (restored.contains(db.name())) {
                continue;
            }
            try {
                if (holdsNoData(db)) {
                    latest(db).ifPresent(latest -> findings.add(report(db, latest)));
                }
            } catch (IOException | ApiException | SQLException e) {
                LOG.warn("event=empty_check.skipped database={} error={}", db.name(), Kv.quote(e.toString()));
            }
        }
        return findings;
    }

    private Optional<SnapshotInfo> latest(Database db) throws IOException, ApiException {
        try {
            return client.list(db.name(), 1, Optional.empty()).snapshots().stream().findFirst();
        } catch (ApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Finding report(Database db, SnapshotInfo latest) {
        LOG.error("event=database.empty_with_backup database={} path={} server_version={} server_bytes={}"
                        + " server_created_at={} reason={}", db.name(), db.path(), latest.version(),
                latest.sizeBytes(), latest.createdAt(), Kv.quote("the database holds no data but the server holds a"
                        + " backup of it: something created it before the agent could restore it (run the agent"
                        + " outermost, before the app's entrypoint: docs/rails.md); the backup is untouched, restore"
                        + " it with: cellar-agent restore --database " + db.name() + " --version " + latest.version()
                        + " --force"));
        return new Finding(db, latest);
    }

    /** True when every table apart from SQLite's and the framework's bookkeeping is empty (or there are none). */
    static boolean holdsNoData(Database db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.path().toAbsolutePath()
                + "?mode=ro")) {
            List<String> tables = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                if (BOOKKEEPING.contains(table)) {
                    continue;
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT EXISTS (SELECT 1 FROM \"" + table.replace("\"", "\"\"") + "\")")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
