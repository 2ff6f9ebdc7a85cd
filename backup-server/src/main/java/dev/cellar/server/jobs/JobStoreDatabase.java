package dev.cellar.server.jobs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL database of the clustered job store: a small HikariCP pool, Quartz's tables brought up to date by
 * Flyway's versioned migrations ({@code db/quartz}) at start, and the pool handed to Quartz under a name of its own.
 */
final class JobStoreDatabase {
    private static final Logger log = LoggerFactory.getLogger(JobStoreDatabase.class);
    /** Quartz's own tables only; this history table keeps Flyway's bookkeeping apart from them. */
    private static final String HISTORY_TABLE = "cellar_schema_history";

    private JobStoreDatabase() {
    }

    /**
     * Opens the pool, migrates and registers it with Quartz as {@code dataSourceName}.
     *
     * @throws JobStoreException naming the database (never its password) when it cannot be used
     */
    static void open(JobDatabase db, String dataSourceName, int connections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("cellar-jobs");
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(connections);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new JobStoreException("cannot connect to the job store database " + db.describe()
                    + " (BACKUP_DB_URL, BACKUP_DB_USER, BACKUP_DB_PASSWORD): " + rootMessage(e), e);
        }
        try {
            var result = Flyway.configure().dataSource(pool).locations("classpath:db/quartz")
                    .table(HISTORY_TABLE).baselineOnMigrate(false).load().migrate();
            log.info("event=jobstore.migrated database={} applied={} version={}", db.describe(),
                    result.migrationsExecuted, result.targetSchemaVersion);
        } catch (RuntimeException e) {
            pool.close();
            throw new JobStoreException("cannot create the scheduler's tables in " + db.describe() + ": "
                    + rootMessage(e), e);
        }
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return pool.getConnection();
            }

            @Override
            public void shutdown() {
                pool.close();
            }

            @Override
            public void initialize() {
            }
        });
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
