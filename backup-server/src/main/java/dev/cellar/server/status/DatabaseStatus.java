package dev.cellar.server.status;

import java.time.Instant;

/**
 * How a database's backups stand.
 *
 * @param status       {@code never} (no snapshot), {@code ok}, {@code stale} or {@code failing}
 * @param lastBackupAt the newest successful upload or "unchanged" confirmation, or null
 * @param reason       why it is not {@code ok}, in words; null when it is
 */
public record DatabaseStatus(String status, Instant lastBackupAt, String reason) {
    public static final String NEVER = "never";
    public static final String OK = "ok";
    public static final String STALE = "stale";
    public static final String FAILING = "failing";
}
