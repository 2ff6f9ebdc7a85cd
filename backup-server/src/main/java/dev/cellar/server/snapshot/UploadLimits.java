package dev.cellar.server.snapshot;

import java.time.Duration;

/**
 * What keeps one slow or greedy client from holding the server's upload slots.
 *
 * @param perTenant         uploads one tenant may run at once ({@code BACKUP_MAX_UPLOADS_PER_TENANT})
 * @param minBytesPerSecond the slowest average an upload body may arrive at, counted after the grace period
 *                          ({@code BACKUP_UPLOAD_MIN_RATE})
 * @param rateGrace         how long an upload may start slowly before its rate is checked
 *                          ({@code BACKUP_UPLOAD_RATE_GRACE})
 * @param deadline          the longest an upload body may take, whatever its rate ({@code BACKUP_UPLOAD_DEADLINE})
 * @param queueLength       uploads that may wait for a slot when all are taken ({@code BACKUP_UPLOAD_QUEUE}); 0
 *                          refuses them at once
 * @param queueWait         the longest an upload waits in that queue before it is refused
 *                          ({@code BACKUP_UPLOAD_QUEUE_WAIT})
 */
public record UploadLimits(int perTenant, long minBytesPerSecond, Duration rateGrace, Duration deadline,
                           int queueLength, Duration queueWait) {
    public static final int DEFAULT_PER_TENANT = 2;
    public static final long DEFAULT_MIN_BYTES_PER_SECOND = 16 * 1024;
    public static final Duration DEFAULT_RATE_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DEADLINE = Duration.ofHours(6);
    /** Waiting uploads hold a thread each (Jetty has 250) but no slot memory: a fraction of the threads. */
    public static final int DEFAULT_QUEUE_LENGTH = 64;
    /** Well under the idle timeout's 30 s, so a waiting client's connection is never closed as idle. */
    public static final Duration DEFAULT_QUEUE_WAIT = Duration.ofSeconds(10);
    public static final UploadLimits DEFAULT = new UploadLimits(DEFAULT_PER_TENANT, DEFAULT_MIN_BYTES_PER_SECOND,
            DEFAULT_RATE_GRACE, DEFAULT_DEADLINE, DEFAULT_QUEUE_LENGTH, DEFAULT_QUEUE_WAIT);
}
