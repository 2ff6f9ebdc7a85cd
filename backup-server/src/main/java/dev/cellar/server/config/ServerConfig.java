package dev.cellar.server.config;

import dev.cellar.server.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the server reads from its environment, loaded once and validated at start.
 *
 * @param adminToken      {@code BACKUP_ADMIN_TOKEN}; when empty on local storage one is generated under the data dir
 * @param tokenSecret     {@code BACKUP_TOKEN_SECRET}, the HMAC key of tenant tokens; generated likewise when empty
 * @param s3              present when {@code BUCKET_NAME} is set; otherwise snapshots live under {@code dataDir}
 * @param forkWindow      how far back two machines uploading for one tenant count as a fork ({@code BACKUP_FORK_WINDOW})
 * @param restoreLease    how long a machine's claim of a restore request holds without renewal before another
 *                        machine may take the request over ({@code BACKUP_RESTORE_LEASE})
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
        Duration restoreLease,
        List<String> unknownVariables) {

    public static final long GIB = 1L << 30;

    /** Every {@code BACKUP_*} variable the server reads. */
    static final Set<String> KNOWN = Set.of(
            "BACKUP_HOST", "BACKUP_ADMIN_TOKEN", "BACKUP_TOKEN_SECRET", "BACKUP_DATA_DIR", "BACKUP_S3_PREFIX",
            "BACKUP_S3_PATH_STYLE", "BACKUP_S3_PART_SIZE", "BACKUP_MAX_SNAPSHOT_BYTES",
            "BACKUP_MAX_CONCURRENT_UPLOADS", "BACKUP_TOKEN_CACHE_TTL", "BACKUP_FORK_WINDOW", "BACKUP_RESTORE_LEASE");

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
        if (tokenTtl.isNegative()) {
            r.problem("BACKUP_TOKEN_CACHE_TTL", "must not be negative");
        }
        Duration forkWindow = r.duration("BACKUP_FORK_WINDOW", Duration.ofHours(24));
        if (forkWindow.isNegative() || forkWindow.isZero()) {
            r.problem("BACKUP_FORK_WINDOW", "must be positive");
        }
        Duration restoreLease = r.duration("BACKUP_RESTORE_LEASE", Duration.ofMinutes(10));
        if (restoreLease.isNegative() || restoreLease.isZero()) {
            r.problem("BACKUP_RESTORE_LEASE", "must be positive");
        }
        r.throwIfProblems();

        Set<String> unknown = new TreeSet<>();
        for (String name : env.keySet()) {
            if (name.startsWith("BACKUP_") && !KNOWN.contains(name)) {
                unknown.add(name);
            }
        }
        return new ServerConfig(host, port, dataDir, admin, secret, s3, maxSnapshot, uploads, tokenTtl,
                forkWindow, restoreLease, List.copyOf(unknown));
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
        if (keyId.isEmpty()) {
            r.problem("AWS_ACCESS_KEY_ID", "is required when BUCKET_NAME is set");
        }
        if (key.isEmpty()) {
            r.problem("AWS_SECRET_ACCESS_KEY", "is required when BUCKET_NAME is set");
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
            return Optional.of(new S3Settings(bucket.get(), endpoint.orElse(null), region, keyId.get(), key.get(),
                    pathStyle, prefix, partSize, S3Settings.DEFAULT_COPY_PART_SIZE));
        } catch (IllegalArgumentException e) {
            // a rule of S3Settings this reader does not check itself: still one ConfigException, never a crash
            r.problem("BUCKET_NAME", "and the S3 variables do not describe a usable bucket: " + e.getMessage());
            return Optional.empty();
        }
    }
}
