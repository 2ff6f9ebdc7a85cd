package dev.cellar.server.config;

import dev.cellar.core.config.ConfigException;
import dev.cellar.core.config.EnvReader;
import dev.cellar.core.config.UnknownVariables;
import dev.cellar.server.alert.AlertSettings;
import dev.cellar.server.retention.RetentionPolicy;
import dev.cellar.server.jobs.JobDatabase;
import dev.cellar.server.jobs.SchedulerSettings;
import dev.cellar.server.metrics.MetricsSettings;
import dev.cellar.server.snapshot.UploadLimits;
import dev.cellar.server.storage.s3.S3Settings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.quartz.CronExpression;

/**
 * Everything the server reads from its environment, loaded once and validated at start.
 *
 * @param adminToken      {@code BACKUP_ADMIN_TOKEN}; when empty on local storage one is generated under the data dir
 * @param tokenSecret     {@code BACKUP_TOKEN_SECRET}, the HMAC key of tenant tokens; generated likewise when empty
 * @param s3              present when {@code BUCKET_NAME} is set; otherwise snapshots live under {@code dataDir}
 * @param forkWindow      how far back two machines uploading for one tenant count as a fork ({@code BACKUP_FORK_WINDOW})
 * @param retention       the server-wide retention policy ({@code BACKUP_RETENTION_KEEP_LAST}, {@code _HOURLY},
 *                        {@code _DAILY}, {@code _WEEKLY}, {@code _MONTHLY}, {@code _YEARLY}); a tenant's own replaces it
 * @param drillConcurrency how many restore drills run at once ({@code BACKUP_DRILL_CONCURRENCY})
 * @param scheduler       the nightly chain's schedule and, for several instances, its job store database
 * @param staleAfter      a database with no upload or "unchanged" confirmation for this long is stale
 *                        ({@code BACKUP_STALE_AFTER})
 * @param restoreLease    how long a machine's claim of a restore request holds without renewal before another
 *                        machine may take the request over ({@code BACKUP_RESTORE_LEASE})
 * @param idleTimeout     how long a connection may send nothing before it is closed ({@code BACKUP_IDLE_TIMEOUT})
 * @param uploadLimits    the per-tenant share of upload slots, the minimum rate and the deadline of an upload
 * @param verifyOnUpload  {@code BACKUP_VERIFY_ON_UPLOAD=quick}: run {@code PRAGMA quick_check} on each new image before
 *                        it is stored; {@code off} (the default) leaves the check to the nightly drills
 * @param verifySpoolBytes what the images being checked may take on disk together ({@code BACKUP_VERIFY_SPOOL_BYTES})
 * @param maxMachinesPerTenant machine records one tenant may have ({@code BACKUP_MAX_MACHINES_PER_TENANT})
 * @param maxPlainDownloads plain-SQLite downloads (each decompressing) at once ({@code BACKUP_MAX_PLAIN_DOWNLOADS})
 * @param adminSessionTtl how long an admin page sign-in lasts ({@code BACKUP_ADMIN_SESSION_TTL})
 * @param alerts          where status transitions go ({@code BACKUP_ALERT_WEBHOOK_URL}, {@code SENTRY_DSN})
 * @param metrics         who may read {@code /metrics} and where ({@code BACKUP_METRICS_*})
 * @param unknownVariables {@code BACKUP_*} names this server does not know (likely typos), reported at start
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        Optional<String> adminToken,
        Optional<String> tokenSecret,
        Optional<S3Settings> s3,
        long maxSnapshotBytes,
        int maxConcurrentUploads,
        Duration tokenCacheTtl,
        Duration forkWindow,
        RetentionPolicy retention,
        int drillConcurrency,
        SchedulerSettings scheduler,
        Duration staleAfter,
        Duration restoreLease,
        Duration idleTimeout,
        UploadLimits uploadLimits,
        boolean verifyOnUpload,
        long verifySpoolBytes,
        int maxMachinesPerTenant,
        int maxPlainDownloads,
        Duration adminSessionTtl,
        AlertSettings alerts,
        MetricsSettings metrics,
        List<String> unknownVariables) {

    public static final long GIB = 1L << 30;

    /** Every {@code BACKUP_*} variable the server reads. */
    public static final Set<String> KNOWN = Set.of(
            "BACKUP_HOST", "BACKUP_ADMIN_TOKEN", "BACKUP_TOKEN_SECRET", "BACKUP_DATA_DIR", "BACKUP_S3_PREFIX",
            "BACKUP_S3_PATH_STYLE", "BACKUP_S3_PART_SIZE", "BACKUP_MAX_SNAPSHOT_BYTES",
            "BACKUP_MAX_CONCURRENT_UPLOADS", "BACKUP_TOKEN_CACHE_TTL", "BACKUP_FORK_WINDOW",
            "BACKUP_RETENTION_KEEP_LAST", "BACKUP_RETENTION_HOURLY", "BACKUP_RETENTION_DAILY",
            "BACKUP_RETENTION_WEEKLY", "BACKUP_RETENTION_MONTHLY", "BACKUP_RETENTION_YEARLY",
            "BACKUP_DRILL_CONCURRENCY",
            "BACKUP_NIGHTLY_CRON", "BACKUP_DB_URL", "BACKUP_DB_USER", "BACKUP_DB_PASSWORD", "BACKUP_STALE_AFTER",
            "BACKUP_RESTORE_LEASE", "BACKUP_IDLE_TIMEOUT", "BACKUP_MAX_UPLOADS_PER_TENANT",
            "BACKUP_UPLOAD_MIN_RATE", "BACKUP_UPLOAD_RATE_GRACE", "BACKUP_UPLOAD_DEADLINE",
            "BACKUP_UPLOAD_QUEUE", "BACKUP_UPLOAD_QUEUE_WAIT",
            "BACKUP_VERIFY_ON_UPLOAD", "BACKUP_VERIFY_SPOOL_BYTES", "BACKUP_MAX_MACHINES_PER_TENANT",
            "BACKUP_MAX_PLAIN_DOWNLOADS", "BACKUP_ADMIN_SESSION_TTL", "BACKUP_ALERT_WEBHOOK_URL",
            "BACKUP_METRICS_TOKEN", "BACKUP_METRICS_PORT", "BACKUP_METRICS_HOST", "BACKUP_METRICS_PER_TENANT",
            "BACKUP_METRICS_FLEET_TTL", "BACKUP_LOG_FORMAT");

    public boolean usesS3() {
        return s3.isPresent();
    }

    /**
     * Reads and validates the configuration.
     *
     * @throws ConfigException naming every variable that is wrong
     */
    public static ServerConfig fromEnv(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        String host = r.string("BACKUP_HOST", "0.0.0.0");
        int port = r.integer("PORT", 8080, 0, 65535);
        Path dataDir = Path.of(r.string("BACKUP_DATA_DIR", "./data"));
        Optional<String> admin = r.string("BACKUP_ADMIN_TOKEN");
        Optional<String> secret = r.string("BACKUP_TOKEN_SECRET");
        admin.filter(a -> a.length() < 16)
                .ifPresent(a -> r.problem("BACKUP_ADMIN_TOKEN", "must be at least 16 characters long"));
        secret.filter(s -> s.length() < 32)
                .ifPresent(s -> r.problem("BACKUP_TOKEN_SECRET", "must be at least 32 characters long"));

        Optional<S3Settings> s3 = s3(r, admin, secret);
        long maxSnapshot = r.bytes("BACKUP_MAX_SNAPSHOT_BYTES", 8 * GIB, 1024);
        int uploads = r.integer("BACKUP_MAX_CONCURRENT_UPLOADS", 4, 1, 256);
        Duration tokenTtl = r.duration("BACKUP_TOKEN_CACHE_TTL", Duration.ofSeconds(10));
        Duration forkWindow = r.positiveDuration("BACKUP_FORK_WINDOW", Duration.ofHours(24));
        RetentionPolicy retention = retention(r);
        int drillConcurrency = r.integer("BACKUP_DRILL_CONCURRENCY", 1, 1, 16);
        SchedulerSettings scheduler = scheduler(r);
        Duration staleAfter = r.positiveDuration("BACKUP_STALE_AFTER", Duration.ofHours(26));
        Duration restoreLease = r.positiveDuration("BACKUP_RESTORE_LEASE", Duration.ofMinutes(10));
        Duration idleTimeout = r.positiveDuration("BACKUP_IDLE_TIMEOUT", Duration.ofSeconds(30));
        UploadLimits uploadLimits = uploadLimits(r, uploads, idleTimeout);
        String verify = r.string("BACKUP_VERIFY_ON_UPLOAD", "off");
        if (!verify.equals("off") && !verify.equals("quick")) {
            r.problem("BACKUP_VERIFY_ON_UPLOAD", "must be off or quick, got '" + verify + "'");
        }
        long verifySpool = r.bytes("BACKUP_VERIFY_SPOOL_BYTES", 16 * GIB, 1 << 20);
        int maxMachines = r.integer("BACKUP_MAX_MACHINES_PER_TENANT", 100, 1, 100_000);
        int maxPlainDownloads = r.integer("BACKUP_MAX_PLAIN_DOWNLOADS", 4, 1, 256);
        Duration sessionTtl = r.positiveDuration("BACKUP_ADMIN_SESSION_TTL", Duration.ofHours(8));
        AlertSettings alerts = alerts(r);
        MetricsSettings metrics = metrics(r, host, port, admin);
        String logFormat = r.string("BACKUP_LOG_FORMAT", "text"); // read by logback.xml, which cannot refuse a value
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            r.problem("BACKUP_LOG_FORMAT", "must be text or json, got '" + logFormat + "'");
        }
        r.throwIfProblems();

        List<String> unknown = UnknownVariables.in(env, KNOWN);
        return new ServerConfig(host, port, dataDir, admin, secret, s3, maxSnapshot, uploads, tokenTtl,
                forkWindow, retention, drillConcurrency, scheduler, staleAfter, restoreLease, idleTimeout, uploadLimits,
                verify.equals("quick"), verifySpool, maxMachines, maxPlainDownloads, sessionTtl, alerts, metrics,
                unknown);
    }

    /** Both values carry credentials: a problem names the variable, never echoes the value. */
    private static AlertSettings alerts(EnvReader r) {
        Optional<URI> webhook = r.string("BACKUP_ALERT_WEBHOOK_URL").flatMap(v -> {
            URI uri = absoluteHttp(v);
            if (uri == null) {
                r.problem("BACKUP_ALERT_WEBHOOK_URL", "must be an absolute http or https URL");
            }
            return Optional.ofNullable(uri);
        });
        Optional<String> dsn = r.string("SENTRY_DSN");
        dsn.ifPresent(v -> {
            URI uri = absoluteHttp(v);
            if (uri == null || uri.getRawUserInfo() == null || uri.getPath() == null
                    || !uri.getPath().matches("(/.*)?/[^/]+")) {
                r.problem("SENTRY_DSN", "must be a Sentry DSN such as https://<key>@o1.ingest.sentry.io/<project>");
            }
        });
        return new AlertSettings(webhook, dsn);
    }

    private static URI absoluteHttp(String value) {
        try {
            URI uri = new URI(value);
            return uri.getScheme() != null && uri.getScheme().matches("(?i)https?") && uri.getHost() != null
                    ? uri : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static UploadLimits uploadLimits(EnvReader r, int uploads, Duration idleTimeout) {
        int perTenant = r.integer("BACKUP_MAX_UPLOADS_PER_TENANT", Math.min(UploadLimits.DEFAULT_PER_TENANT, uploads),
                1, 256);
        if (perTenant > uploads) {
            r.problem("BACKUP_MAX_UPLOADS_PER_TENANT", "must not exceed BACKUP_MAX_CONCURRENT_UPLOADS (" + uploads + ")");
        }
        long minRate = r.bytes("BACKUP_UPLOAD_MIN_RATE", UploadLimits.DEFAULT_MIN_BYTES_PER_SECOND, 1);
        Duration grace = r.positiveDuration("BACKUP_UPLOAD_RATE_GRACE", UploadLimits.DEFAULT_RATE_GRACE);
        Duration deadline = r.positiveDuration("BACKUP_UPLOAD_DEADLINE", UploadLimits.DEFAULT_DEADLINE);
        int queue = r.integer("BACKUP_UPLOAD_QUEUE", UploadLimits.DEFAULT_QUEUE_LENGTH, 0, 200);
        // by default well inside a shortened idle timeout too, so lowering that one alone never stops the start
        Duration queueWait = r.positiveDuration("BACKUP_UPLOAD_QUEUE_WAIT",
                Collections.min(List.of(UploadLimits.DEFAULT_QUEUE_WAIT, idleTimeout.dividedBy(2))));
        if (queueWait.compareTo(idleTimeout) >= 0) {
            // a waiting upload reads nothing: the connection must not be closed as idle meanwhile
            r.problem("BACKUP_UPLOAD_QUEUE_WAIT", "must be shorter than BACKUP_IDLE_TIMEOUT (" + idleTimeout + ")");
        }
        return new UploadLimits(perTenant, minRate, grace, deadline, queue, queueWait);
    }

    private static MetricsSettings metrics(EnvReader r, String host, int port, Optional<String> admin) {
        Optional<String> token = r.string("BACKUP_METRICS_TOKEN");
        token.filter(t -> t.length() < 16)
                .ifPresent(t -> r.problem("BACKUP_METRICS_TOKEN", "must be at least 16 characters long"));
        if (token.isPresent() && token.equals(admin)) {
            r.problem("BACKUP_METRICS_TOKEN", "must differ from BACKUP_ADMIN_TOKEN: it is the read-only token");
        }
        Optional<Integer> metricsPort = r.optionalInteger("BACKUP_METRICS_PORT", 0, 65535);
        if (metricsPort.isPresent() && metricsPort.get() != 0 && metricsPort.get() == port) {
            r.problem("BACKUP_METRICS_PORT", "must differ from PORT (" + port + "): it serves /metrics without a token");
        }
        String metricsHost = r.string("BACKUP_METRICS_HOST", host);
        boolean perTenant = r.bool("BACKUP_METRICS_PER_TENANT", false);
        Duration ttl = r.duration("BACKUP_METRICS_FLEET_TTL", MetricsSettings.DEFAULT_FLEET_TTL);
        return new MetricsSettings(token, metricsPort, metricsHost, perTenant, ttl);
    }

    private static RetentionPolicy retention(EnvReader r) {
        RetentionPolicy d = RetentionPolicy.DEFAULT;
        int[] defaults = {d.keepLast(), d.hourly(), d.daily(), d.weekly(), d.monthly(), d.yearly()};
        String[] names = {"KEEP_LAST", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
        int[] v = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            v[i] = r.integer("BACKUP_RETENTION_" + names[i], defaults[i], 0, RetentionPolicy.MAX_COUNT);
        }
        return new RetentionPolicy(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    private static SchedulerSettings scheduler(EnvReader r) {
        String cron = r.string("BACKUP_NIGHTLY_CRON", SchedulerSettings.DEFAULT_CRON);
        try {
            CronExpression expression = new CronExpression(cron);
            if (expression.getNextValidTimeAfter(new java.util.Date()) == null) {
                r.problem("BACKUP_NIGHTLY_CRON", "never fires again: '" + cron + "'");
            }
        } catch (ParseException e) {
            r.problem("BACKUP_NIGHTLY_CRON", "must be a Quartz cron expression such as '"
                    + SchedulerSettings.DEFAULT_CRON + "' (seconds minutes hours day-of-month month day-of-week,"
                    + " UTC), got '" + cron + "': " + e.getMessage());
        }
        Optional<String> url = r.string("BACKUP_DB_URL");
        Optional<String> user = r.string("BACKUP_DB_USER");
        Optional<String> password = r.string("BACKUP_DB_PASSWORD");
        Optional<JobDatabase> database = Optional.empty();
        if (url.isEmpty()) {
            user.ifPresent(u -> r.problem("BACKUP_DB_USER", "is set but BACKUP_DB_URL is not"));
            password.ifPresent(p -> r.problem("BACKUP_DB_PASSWORD", "is set but BACKUP_DB_URL is not"));
        } else {
            try {
                database = Optional.of(JobDatabase.parse(url.get(), user.orElse(null), password.orElse(null)));
            } catch (IllegalArgumentException e) {
                r.problem("BACKUP_DB_URL", e.getMessage()); // the URL itself is not echoed: it may hold a password
            }
        }
        // Fly names each machine; elsewhere the host name, made unique for several servers on one host
        String instance = r.string("FLY_MACHINE_ID").orElseGet(() -> hostName() + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        return new SchedulerSettings(cron, database, instance);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "server";
        }
    }

    private static Optional<S3Settings> s3(EnvReader r, Optional<String> admin, Optional<String> secret) {
        Optional<String> bucket = r.string("BUCKET_NAME");
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        // several instances share one bucket: they must share the secrets too, so none may be invented here
        if (admin.isEmpty()) {
            r.problem("BACKUP_ADMIN_TOKEN", "is required when BUCKET_NAME is set");
        }
        if (secret.isEmpty()) {
            r.problem("BACKUP_TOKEN_SECRET", "is required when BUCKET_NAME is set (every instance needs the same one)");
        }
        Optional<String> keyId = r.string("AWS_ACCESS_KEY_ID");
        Optional<String> key = r.string("AWS_SECRET_ACCESS_KEY");
        // neither: the SDK's default credential chain (profile, web identity, container or instance role)
        if (keyId.isEmpty() && key.isPresent()) {
            r.problem("AWS_ACCESS_KEY_ID", "is required with AWS_SECRET_ACCESS_KEY (or unset both for the default"
                    + " credential chain)");
        }
        if (key.isEmpty() && keyId.isPresent()) {
            r.problem("AWS_SECRET_ACCESS_KEY", "is required with AWS_ACCESS_KEY_ID (or unset both for the default"
                    + " credential chain)");
        }
        if (bucket.get().contains("/")) {
            r.problem("BUCKET_NAME", "must be a bucket name without '/'; put paths in BACKUP_S3_PREFIX");
        }
        Optional<URI> endpoint = r.uri("AWS_ENDPOINT_URL_S3");
        if (endpoint.isPresent() && endpoint.get().getRawUserInfo() != null) {
            // not echoed: the user information may be a secret
            r.problem("AWS_ENDPOINT_URL_S3", "must not contain a user name or password; "
                    + "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead");
        } else if (endpoint.isPresent() && !endpoint.get().getScheme().matches("(?i)https?")) {
            r.problem("AWS_ENDPOINT_URL_S3", "must be an http or https URL, got '" + endpoint.get() + "'");
        }
        String region = r.string("AWS_REGION", "us-east-1");
        boolean pathStyle = r.bool("BACKUP_S3_PATH_STYLE", false);
        String prefix = r.string("BACKUP_S3_PREFIX", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (prefix.startsWith("/")) {
            r.problem("BACKUP_S3_PREFIX", "must not start with '/'");
        }
        long partSize = r.bytes("BACKUP_S3_PART_SIZE", S3Settings.DEFAULT_PART_SIZE, S3Settings.MIN_PART_SIZE,
                S3Settings.MAX_PART_SIZE);
        if (r.hasProblems()) {
            return Optional.empty(); // the problems are thrown together by the caller
        }
        try {
            return Optional.of(new S3Settings(bucket.get(), endpoint.orElse(null), region, keyId.orElse(null),
                    key.orElse(null),
                    pathStyle, prefix, partSize, S3Settings.DEFAULT_COPY_PART_SIZE));
        } catch (IllegalArgumentException e) {
            // a rule of S3Settings this reader does not check itself: still one ConfigException, never a crash
            r.problem("BUCKET_NAME", "and the S3 variables do not describe a usable bucket: " + e.getMessage());
            return Optional.empty();
        }
    }
}
