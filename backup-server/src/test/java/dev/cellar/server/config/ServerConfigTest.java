package dev.cellar.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import dev.cellar.server.retention.RetentionPolicy;
import dev.cellar.server.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigTest {
    private static final String ADMIN = "admin-token-0123456789";
    private static final String SECRET = "token-secret-0123456789abcdef0123456789";

    @Test
    void anEmptyEnvironmentGivesTheEmbeddedDefaults() {
        ServerConfig config = ServerConfig.fromEnv(Map.of());

        assertEquals(8080, config.port());
        assertEquals("0.0.0.0", config.host());
        assertEquals(Path.of("./data"), config.dataDir());
        assertEquals(Optional.empty(), config.s3());
        assertFalse(config.usesS3());
        assertEquals(8L << 30, config.maxSnapshotBytes());
        assertEquals(4, config.maxConcurrentUploads());
        assertEquals(Duration.ofSeconds(10), config.tokenCacheTtl());
        assertEquals(Optional.empty(), config.adminToken());
        assertEquals(Optional.empty(), config.tokenSecret());
        assertEquals(List.of(), config.unknownVariables());
    }

    @Test
    void blankValuesCountAsUnset() {
        ServerConfig config = ServerConfig.fromEnv(Map.of("PORT", " ", "BACKUP_DATA_DIR", "", "BUCKET_NAME", "  "));

        assertEquals(8080, config.port());
        assertEquals(Path.of("./data"), config.dataDir());
        assertFalse(config.usesS3());
    }

    @Test
    void readsEveryValueThatIsGiven() {
        ServerConfig config = ServerConfig.fromEnv(Map.of(
                "PORT", "9090",
                "BACKUP_HOST", "127.0.0.1",
                "BACKUP_DATA_DIR", "/var/lib/cellar",
                "BACKUP_ADMIN_TOKEN", ADMIN,
                "BACKUP_TOKEN_SECRET", SECRET,
                "BACKUP_MAX_SNAPSHOT_BYTES", "2GiB",
                "BACKUP_MAX_CONCURRENT_UPLOADS", "16",
                "BACKUP_TOKEN_CACHE_TTL", "PT1M"));

        assertEquals(9090, config.port());
        assertEquals("127.0.0.1", config.host());
        assertEquals(Path.of("/var/lib/cellar"), config.dataDir());
        assertEquals(Optional.of(ADMIN), config.adminToken());
        assertEquals(Optional.of(SECRET), config.tokenSecret());
        assertEquals(2L << 30, config.maxSnapshotBytes());
        assertEquals(16, config.maxConcurrentUploads());
        assertEquals(Duration.ofMinutes(1), config.tokenCacheTtl());
    }

    @ParameterizedTest
    @CsvSource({
        "PORT, http",
        "PORT, -1",
        "PORT, 65536",
        "PORT, 99999999999",
        "BACKUP_MAX_SNAPSHOT_BYTES, lots",
        "BACKUP_MAX_SNAPSHOT_BYTES, 8 GB please",
        "BACKUP_MAX_SNAPSHOT_BYTES, 1.5GiB",
        "BACKUP_MAX_SNAPSHOT_BYTES, -5",
        "BACKUP_MAX_SNAPSHOT_BYTES, 1023",
        "BACKUP_MAX_SNAPSHOT_BYTES, 99999999999999999999",   // more than a long holds
        "BACKUP_MAX_SNAPSHOT_BYTES, 16777217TiB",            // 2^64 + 2^40: must not wrap round to 1 TiB
        "BACKUP_MAX_CONCURRENT_UPLOADS, 0",
        "BACKUP_MAX_CONCURRENT_UPLOADS, 257",
        "BACKUP_MAX_CONCURRENT_UPLOADS, four",
        "BACKUP_TOKEN_CACHE_TTL, soon",
        "BACKUP_TOKEN_CACHE_TTL, 10 minutes",
        "BACKUP_TOKEN_CACHE_TTL, -PT1S",
        "BACKUP_STALE_AFTER, 99999999999999999999",         // more seconds than a long holds: no crash
        "BACKUP_STALE_AFTER, 99999999999999999d",
        "BACKUP_FORK_WINDOW, 0",
        "BACKUP_FORK_WINDOW, -60",
        "BACKUP_FORK_WINDOW, a day",
        "BACKUP_RESTORE_LEASE, 0",
        "BACKUP_RESTORE_LEASE, ten minutes",
        "BACKUP_ADMIN_SESSION_TTL, 0",
        "BACKUP_ADMIN_SESSION_TTL, a day",
        "BACKUP_ADMIN_TOKEN, short",
        "BACKUP_TOKEN_SECRET, not-32-characters",
        "BACKUP_RETENTION_KEEP_LAST, -1",
        "BACKUP_RETENTION_HOURLY, 1.5",
        "BACKUP_RETENTION_DAILY, seven",
        "BACKUP_RETENTION_WEEKLY, -5",
        "BACKUP_RETENTION_MONTHLY, 1000001",
        "BACKUP_RETENTION_YEARLY, 99999999999",
        "BACKUP_DRILL_CONCURRENCY, 0",
        "BACKUP_DRILL_CONCURRENCY, 17",
        "BACKUP_MAX_UPLOADS_PER_TENANT, 0",
        "BACKUP_MAX_UPLOADS_PER_TENANT, 5",                  // more than BACKUP_MAX_CONCURRENT_UPLOADS (4)
        "BACKUP_UPLOAD_MIN_RATE, fast",
        "BACKUP_UPLOAD_MIN_RATE, 0",
        "BACKUP_UPLOAD_RATE_GRACE, 0",
        "BACKUP_UPLOAD_DEADLINE, -5",
        "BACKUP_UPLOAD_DEADLINE, six hours",
        "BACKUP_UPLOAD_QUEUE, -1",
        "BACKUP_UPLOAD_QUEUE, 201",
        "BACKUP_UPLOAD_QUEUE_WAIT, 0",
        "BACKUP_UPLOAD_QUEUE_WAIT, PT30S",                   // not shorter than BACKUP_IDLE_TIMEOUT (30 s)
        "BACKUP_IDLE_TIMEOUT, 0",
        "BACKUP_VERIFY_ON_UPLOAD, full",
        "BACKUP_VERIFY_SPOOL_BYTES, 1KiB",
        "BACKUP_MAX_MACHINES_PER_TENANT, 0",
        "BACKUP_MAX_PLAIN_DOWNLOADS, 0",
    })
    void aBadValueIsReportedWithTheVariablesName(String name, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(name, value)));

        assertTrue(e.getMessage().contains("\n  - " + name + " "), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "BACKUP_S3_PATH_STYLE, maybe",
        "AWS_ENDPOINT_URL_S3, not a url",
        "AWS_ENDPOINT_URL_S3, fly.storage.tigris.dev",
        "AWS_ENDPOINT_URL_S3, ftp://fly.storage.tigris.dev",
        "BACKUP_S3_PART_SIZE, 1MiB",
        "BACKUP_S3_PART_SIZE, 2GiB",
        "BACKUP_S3_PART_SIZE, big",
        "BACKUP_S3_PREFIX, /backups",
        "BUCKET_NAME, team/cellar",
    })
    void aBadS3ValueIsReportedWithTheVariablesName(String name, String value) {
        Map<String, String> env = s3Env();
        env.put(name, value);

        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));

        assertTrue(e.getMessage().contains("\n  - " + name + " "), e.getMessage());
    }

    @Test
    void anEndpointCarryingCredentialsIsRefusedWithoutEchoingThem() {
        Map<String, String> env = s3Env();
        env.put("AWS_ENDPOINT_URL_S3", "https://tid_key:tsec_hunter2@fly.storage.tigris.dev");

        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));

        assertTrue(e.getMessage().contains("\n  - AWS_ENDPOINT_URL_S3 "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aBadValueIsQuotedSoTheOperatorSeesWhatTheServerRead() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_MAX_SNAPSHOT_BYTES", "8 gigs")));

        assertEquals("invalid configuration:\n  - BACKUP_MAX_SNAPSHOT_BYTES must be a size such as 1073741824, "
                + "512MiB or 8GiB, got '8 gigs'", e.getMessage());
    }

    @Test
    void everyProblemIsReportedInOneException() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "PORT", "eighty",
                "BACKUP_MAX_SNAPSHOT_BYTES", "huge",
                "BACKUP_MAX_CONCURRENT_UPLOADS", "0",
                "BACKUP_TOKEN_CACHE_TTL", "a while",
                "BACKUP_ADMIN_TOKEN", "too-short")));

        List<String> lines = e.getMessage().lines().toList();
        assertEquals("invalid configuration:", lines.get(0));
        assertEquals(6, lines.size(), e.getMessage());
        for (String name : List.of("PORT", "BACKUP_MAX_SNAPSHOT_BYTES", "BACKUP_MAX_CONCURRENT_UPLOADS",
                "BACKUP_TOKEN_CACHE_TTL", "BACKUP_ADMIN_TOKEN")) {
            assertEquals(1, lines.stream().filter(l -> l.startsWith("  - " + name + " ")).count(), name);
        }
    }

    @Test
    void aBucketWithoutSecretsIsRefusedNamingEachMissingVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BUCKET_NAME", "cellar")));

        assertEquals("""
                invalid configuration:
                  - BACKUP_ADMIN_TOKEN is required when BUCKET_NAME is set
                  - BACKUP_TOKEN_SECRET is required when BUCKET_NAME is set (every instance needs the same one)""",
                e.getMessage());
    }

    @Test
    void aBucketWithoutStaticKeysUsesTheDefaultCredentialChain() {
        Map<String, String> env = s3Env();
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");

        assertTrue(ServerConfig.fromEnv(env).s3().orElseThrow().usesDefaultCredentials());
    }

    @Test
    void aBucketMissingOnlyTheSecretKeyNamesOnlyThatVariable() {
        Map<String, String> env = s3Env();
        env.remove("AWS_SECRET_ACCESS_KEY");

        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));

        assertEquals("invalid configuration:\n  - AWS_SECRET_ACCESS_KEY is required with AWS_ACCESS_KEY_ID (or unset"
                + " both for the default credential chain)", e.getMessage());
    }

    @Test
    void aBucketWithEverythingItNeedsSelectsS3() {
        Map<String, String> env = s3Env();
        env.put("AWS_ENDPOINT_URL_S3", "https://fly.storage.tigris.dev");
        env.put("AWS_REGION", "auto");
        env.put("BACKUP_S3_PATH_STYLE", "true");

        ServerConfig config = ServerConfig.fromEnv(env);

        assertTrue(config.usesS3());
        S3Settings s3 = config.s3().orElseThrow();
        assertEquals("cellar", s3.bucket());
        assertEquals(URI.create("https://fly.storage.tigris.dev"), s3.endpoint());
        assertEquals("auto", s3.region());
        assertEquals("tid_key", s3.accessKeyId());
        assertEquals("tsec_secret", s3.secretAccessKey());
        assertTrue(s3.pathStyle());
        assertEquals("", s3.prefix());
        assertEquals(8L << 20, s3.partSizeBytes());
    }

    @Test
    void s3DefaultsToAwsItselfInUsEast1WithVirtualHostAddressing() {
        S3Settings s3 = ServerConfig.fromEnv(s3Env()).s3().orElseThrow();

        assertEquals(null, s3.endpoint());
        assertEquals("us-east-1", s3.region());
        assertFalse(s3.pathStyle());
    }

    @ParameterizedTest
    @CsvSource({
        "1073741824, 1073741824",
        "512MiB, 536870912",
        "8GiB, 8589934592",
        "8gib, 8589934592",
        "8G, 8589934592",
        "8GB, 8589934592",
        "512 MiB, 536870912",
        "64KiB, 65536",
        "1TiB, 1099511627776",
        "2048B, 2048",
    })
    void sizesAreReadInBytesOrPowersOf1024(String text, long bytes) {
        ServerConfig config = ServerConfig.fromEnv(Map.of("BACKUP_MAX_SNAPSHOT_BYTES", text));

        assertEquals(bytes, config.maxSnapshotBytes());
    }

    @ParameterizedTest
    @CsvSource(value = {
        "backups, backups/",
        "backups/, backups/",
        "fleet/eu/, fleet/eu/",
        "fleet/eu, fleet/eu/",
        "'', ''",
    }, emptyValue = "")
    void theS3PrefixAlwaysEndsWithASlash(String prefix, String expected) {
        Map<String, String> env = s3Env();
        env.put("BACKUP_S3_PREFIX", prefix);

        assertEquals(expected, ServerConfig.fromEnv(env).s3().orElseThrow().prefix());
    }

    @Test
    void unknownBackupVariablesAreListedAndNothingElse() {
        Map<String, String> env = new HashMap<>();
        env.put("BACKUP_SCHEDUEL", "0 * * * * ?");
        env.put("BACKUP_DATA_DIRECTORY", "/data");
        env.put("BACKUP_DATA_DIR", "/data");
        env.put("BACKUP_MAX_SNAPSHOT_BYTES", "1GiB");
        env.put("PORT", "8080");
        env.put("HOME", "/root");
        env.put("AWS_REGION", "auto");
        env.put("FLY_MACHINE_ID", "abc123");
        env.put("MY_BACKUP_THING", "x");
        env.put("backup_lowercase", "x");

        ServerConfig config = ServerConfig.fromEnv(env);

        assertEquals(List.of("BACKUP_DATA_DIRECTORY", "BACKUP_SCHEDUEL"), config.unknownVariables());
    }

    @Test
    void theUploadQueueWaitsTenSecondsOrHalfAShorterIdleTimeout() {
        assertEquals(Duration.ofSeconds(10), ServerConfig.fromEnv(Map.of()).uploadLimits().queueWait());
        assertEquals(64, ServerConfig.fromEnv(Map.of()).uploadLimits().queueLength());
        assertEquals(Duration.ofSeconds(4), ServerConfig.fromEnv(Map.of("BACKUP_IDLE_TIMEOUT", "PT8S"))
                .uploadLimits().queueWait());
    }

    @Test
    void everyKnownVariableIsNotReportedAsUnknown() {
        Map<String, String> env = s3Env();
        env.put("BACKUP_HOST", "127.0.0.1");
        env.put("BACKUP_DATA_DIR", "/data");
        env.put("BACKUP_S3_PREFIX", "p/");
        env.put("BACKUP_S3_PATH_STYLE", "false");
        env.put("BACKUP_S3_PART_SIZE", "16MiB");
        env.put("BACKUP_MAX_SNAPSHOT_BYTES", "1GiB");
        env.put("BACKUP_MAX_CONCURRENT_UPLOADS", "2");
        env.put("BACKUP_TOKEN_CACHE_TTL", "5");
        env.put("BACKUP_FORK_WINDOW", "PT6H");
        for (String rule : List.of("KEEP_LAST", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")) {
            env.put("BACKUP_RETENTION_" + rule, "1");
        }
        env.put("BACKUP_DRILL_CONCURRENCY", "2");
        env.put("BACKUP_NIGHTLY_CRON", "0 30 2 * * ?");
        env.put("BACKUP_DB_URL", "jdbc:postgresql://db.internal:5432/cellar");
        env.put("BACKUP_DB_USER", "cellar");
        env.put("BACKUP_DB_PASSWORD", "pw");
        env.put("BACKUP_STALE_AFTER", "PT30H");
        env.put("BACKUP_RESTORE_LEASE", "PT5M");
        env.put("BACKUP_IDLE_TIMEOUT", "PT1M");
        env.put("BACKUP_MAX_UPLOADS_PER_TENANT", "1");
        env.put("BACKUP_UPLOAD_MIN_RATE", "64KiB");
        env.put("BACKUP_UPLOAD_RATE_GRACE", "PT10S");
        env.put("BACKUP_UPLOAD_DEADLINE", "PT2H");
        env.put("BACKUP_UPLOAD_QUEUE", "16");
        env.put("BACKUP_UPLOAD_QUEUE_WAIT", "PT20S");
        env.put("BACKUP_VERIFY_ON_UPLOAD", "quick");
        env.put("BACKUP_VERIFY_SPOOL_BYTES", "4GiB");
        env.put("BACKUP_MAX_MACHINES_PER_TENANT", "10");
        env.put("BACKUP_MAX_PLAIN_DOWNLOADS", "2");
        env.put("BACKUP_ADMIN_SESSION_TTL", "PT1H");
        env.put("BACKUP_ALERT_WEBHOOK_URL", "https://hooks.example.com/services/T0/B0/x");
        env.put("BACKUP_METRICS_TOKEN", "metrics-token-0123456789");
        env.put("BACKUP_METRICS_PORT", "9091");
        env.put("BACKUP_METRICS_HOST", "fly-local-6pn");
        env.put("BACKUP_METRICS_PER_TENANT", "true");
        env.put("BACKUP_METRICS_FLEET_TTL", "PT5M");
        env.put("BACKUP_LOG_FORMAT", "json");
        assertTrue(env.keySet().containsAll(ServerConfig.KNOWN), "the test sets every known variable");

        assertEquals(List.of(), ServerConfig.fromEnv(env).unknownVariables());
    }

    @Test
    void anAdminTokenOfFifteenCharactersIsRefusedAndSixteenAccepted() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_ADMIN_TOKEN", "a".repeat(15))));

        assertEquals("invalid configuration:\n  - BACKUP_ADMIN_TOKEN must be at least 16 characters long",
                e.getMessage());
        assertEquals(Optional.of("a".repeat(16)),
                ServerConfig.fromEnv(Map.of("BACKUP_ADMIN_TOKEN", "a".repeat(16))).adminToken());
    }

    @Test
    void aTokenSecretOfThirtyOneCharactersIsRefusedAndThirtyTwoAccepted() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_TOKEN_SECRET", "s".repeat(31))));

        assertEquals("invalid configuration:\n  - BACKUP_TOKEN_SECRET must be at least 32 characters long",
                e.getMessage());
        assertEquals(Optional.of("s".repeat(32)),
                ServerConfig.fromEnv(Map.of("BACKUP_TOKEN_SECRET", "s".repeat(32))).tokenSecret());
    }

    @Test
    void aTokenCacheTtlMayBeGivenInSeconds() {
        assertEquals(Duration.ZERO, ServerConfig.fromEnv(Map.of("BACKUP_TOKEN_CACHE_TTL", "0")).tokenCacheTtl());
        assertEquals(Duration.ofSeconds(30),
                ServerConfig.fromEnv(Map.of("BACKUP_TOKEN_CACHE_TTL", "30")).tokenCacheTtl());
    }

    @ParameterizedTest
    @CsvSource({
        "48h, PT48H",
        "2d, PT48H",
        "PT48H, PT48H",
        "P2D, PT48H",
        "172800, PT48H",
        "90m, PT1H30M",
        "500ms, PT0.5S",
    })
    void durationsTakeTheSameFormsAsOnTheAgent(String text, Duration expected) {
        assertEquals(expected, ServerConfig.fromEnv(Map.of("BACKUP_STALE_AFTER", text)).staleAfter());
    }

    @Test
    void aBadDurationNamesTheFormsThatWork() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_STALE_AFTER", "two days")));

        assertEquals("invalid configuration:\n  - BACKUP_STALE_AFTER must be a duration such as 500ms, 30s, 90m, 48h,"
                + " 2d, PT48H or a number of seconds, got 'two days'", e.getMessage());
    }

    @Test
    void anAdminPageSessionLastsEightHoursUnlessSet() {
        assertEquals(Duration.ofHours(8), ServerConfig.fromEnv(Map.of()).adminSessionTtl());
        assertEquals(Duration.ofMinutes(30),
                ServerConfig.fromEnv(Map.of("BACKUP_ADMIN_SESSION_TTL", "1800")).adminSessionTtl());
    }

    @Test
    void theForkWindowIsADayUnlessSet() {
        assertEquals(Duration.ofHours(24), ServerConfig.fromEnv(Map.of()).forkWindow());
        assertEquals(Duration.ofHours(2), ServerConfig.fromEnv(Map.of("BACKUP_FORK_WINDOW", "PT2H")).forkWindow());
    }

    @Test
    void retentionDefaultsToTheDocumentedPolicyAndEachRuleCanBeSetAlone() {
        assertEquals(new RetentionPolicy(24, 0, 7, 5, 12, 0), ServerConfig.fromEnv(Map.of()).retention());
        assertEquals(new RetentionPolicy(24, 48, 7, 5, 12, 3), ServerConfig.fromEnv(Map.of(
                "BACKUP_RETENTION_HOURLY", "48", "BACKUP_RETENTION_YEARLY", "3")).retention());
        assertEquals(1, ServerConfig.fromEnv(Map.of()).drillConcurrency());
    }

    private static Map<String, String> s3Env() {
        Map<String, String> env = new HashMap<>();
        env.put("BUCKET_NAME", "cellar");
        env.put("AWS_ACCESS_KEY_ID", "tid_key");
        env.put("AWS_SECRET_ACCESS_KEY", "tsec_secret");
        env.put("BACKUP_ADMIN_TOKEN", ADMIN);
        env.put("BACKUP_TOKEN_SECRET", SECRET);
        return env;
    }
}
