package dev.cellar.server.jobs;

import java.util.Optional;

/**
 * How the nightly chain is scheduled.
 *
 * @param cron       Quartz cron expression, evaluated in UTC ({@code BACKUP_NIGHTLY_CRON})
 * @param database   the PostgreSQL database of the clustered job store ({@code BACKUP_DB_URL}); empty for one
 *                   instance with an in-memory store
 * @param instanceId this instance's name in run records and in the cluster; unique per running server
 */
public record SchedulerSettings(String cron, Optional<JobDatabase> database, String instanceId) {
    public static final String DEFAULT_CRON = "0 0 3 * * ?";

    public boolean clustered() {
        return database.isPresent();
    }
}
