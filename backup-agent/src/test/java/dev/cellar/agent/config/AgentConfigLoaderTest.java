package dev.cellar.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentConfigLoaderTest {
    private final Map<String, String> env = new HashMap<>(Map.of(
            "BACKUP_SERVER_URL", "https://cellar.example.com/",
            "BACKUP_TOKEN", "s3cr3t-token",
            "FLY_MACHINE_ID", "3d8d9e1c2b3e89"));

    private AgentConfig load() {
        return new AgentConfigLoader(env).load();
    }

    /** The problems after the shared header, which every configuration failure starts with. */
    private String failure() {
        String message = assertThrows(ConfigException.class, this::load).getMessage();
        assertTrue(message.startsWith(HEADER), message);
        return message.substring(HEADER.length());
    }

    private static final String HEADER = "invalid configuration:\n  - ";

    @Test
    void theLogFormatIsTextOrJsonAndAnythingElseIsRefusedNamingTheVariable() {
        env.put("BACKUP_LOG_FORMAT", "json");
        load();
        env.put("BACKUP_LOG_FORMAT", "JSON");
        assertEquals("BACKUP_LOG_FORMAT must be text or json, got 'JSON'", failure());
    }

    @Test
    void defaultsFollowTheDesign() {
        AgentConfig c = load();

        assertEquals("https://cellar.example.com", c.serverUrl().toString());
        assertEquals("3d8d9e1c2b3e89", c.tenant());
        assertEquals(Optional.of("3d8d9e1c2b3e89"), c.machineId());
        env.put("BACKUP_TENANT", "acme");
        assertEquals("acme", load().tenant()); // an explicit tenant wins over FLY_MACHINE_ID
        assertEquals("/data/*.sqlite3", c.databases().get(0).pattern());
        assertTrue(c.snapshotOnShutdown());
        assertEquals(3, c.zstdLevel());
        assertFalse(c.fullIntegrityCheck());
        assertEquals(64L << 20, c.minFree());
        assertEquals(2, c.concurrency());
        assertEquals(Duration.ofSeconds(60), c.shutdownTimeout());
        assertTrue(c.schedule().matches("0 \\d{1,2} \\* \\* \\* \\?"), c.schedule());
        assertEquals(Duration.ofMinutes(1), c.heartbeatInterval());
        assertFalse(c.allowEmptyStart());
        assertEquals(Optional.empty(), c.region());
    }

    @Test
    void heartbeatsAndEmptyStartAreConfigurableAndTheRegionComesFromFly() {
        env.put("BACKUP_HEARTBEAT_INTERVAL", "15s");
        env.put("BACKUP_ALLOW_EMPTY_START", "true");
        env.put("FLY_REGION", "ams");

        AgentConfig c = load();

        assertEquals(Duration.ofSeconds(15), c.heartbeatInterval());
        assertTrue(c.allowEmptyStart());
        assertEquals(Optional.of("ams"), c.region());
        assertTrue(new AgentConfigLoader(env).unknownVariables().isEmpty());
    }

    @Test
    void aMetricsPortIsReadAndCheckedAndUnsetByDefault() {
        assertEquals(Optional.empty(), load().metricsPort());
        env.put("BACKUP_METRICS_PORT", "9091");
        assertEquals(Optional.of(9091), load().metricsPort());
        assertTrue(new AgentConfigLoader(env).unknownVariables().isEmpty());
        env.put("BACKUP_METRICS_PORT", "70000");
        assertTrue(failure().startsWith("BACKUP_METRICS_PORT"), failure());
        env.put("BACKUP_METRICS_PORT", "http");
        assertTrue(failure().startsWith("BACKUP_METRICS_PORT"), failure());
    }

    @Test
    void aHeartbeatIntervalMustBeALengthOfTimeAboveZero() {
        env.put("BACKUP_HEARTBEAT_INTERVAL", "often");
        assertTrue(failure().startsWith("BACKUP_HEARTBEAT_INTERVAL"));
        env.put("BACKUP_HEARTBEAT_INTERVAL", "0s");
        assertTrue(failure().startsWith("BACKUP_HEARTBEAT_INTERVAL"));
        env.put("BACKUP_ALLOW_EMPTY_START", "perhaps");
        env.remove("BACKUP_HEARTBEAT_INTERVAL");
        assertTrue(failure().startsWith("BACKUP_ALLOW_EMPTY_START"));
    }

    @Test
    void defaultHourlyMinuteIsSpreadByTenantAndStable() {
        assertEquals(AgentConfigLoader.defaultSchedule("acme"), AgentConfigLoader.defaultSchedule("acme"));
        long distinct = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> AgentConfigLoader.defaultSchedule("tenant-" + i)).distinct().count();
        assertTrue(distinct > 30, "only " + distinct + " distinct minutes");
    }

    @Test
    void theTokenNeverAppearsInToString() {
        assertFalse(load().toString().contains("s3cr3t-token"));
    }

    @Test
    void everyErrorNamesItsVariable() {
        env.remove("BACKUP_SERVER_URL");
        assertTrue(failure().startsWith("BACKUP_SERVER_URL"));
        env.put("BACKUP_SERVER_URL", "ftp://x");
        assertTrue(failure().startsWith("BACKUP_SERVER_URL"));
        env.put("BACKUP_SERVER_URL", "http://localhost:8080");

        env.put("BACKUP_ZSTD_LEVEL", "22");
        assertTrue(failure().startsWith("BACKUP_ZSTD_LEVEL"));
        env.remove("BACKUP_ZSTD_LEVEL");

        env.put("BACKUP_SCHEDULE", "every hour");
        assertTrue(failure().startsWith("BACKUP_SCHEDULE"));
        env.remove("BACKUP_SCHEDULE");

        env.put("BACKUP_TENANT", "no spaces please");
        assertTrue(failure().startsWith("BACKUP_TENANT"));
        env.remove("BACKUP_TENANT");

        env.put("BACKUP_DATABASES", "main=relative/path.db");
        assertTrue(failure().startsWith("BACKUP_DATABASES"));
        env.put("BACKUP_DATABASES", "main=/data/*.db");
        assertTrue(failure().startsWith("BACKUP_DATABASES"));
        env.remove("BACKUP_DATABASES");

        env.put("BACKUP_MIN_FREE", "lots");
        assertTrue(failure().startsWith("BACKUP_MIN_FREE"));
        env.remove("BACKUP_MIN_FREE");

        env.put("BACKUP_RETRY_BASE_DELAY", "soon");
        assertTrue(failure().startsWith("BACKUP_RETRY_BASE_DELAY"));
        env.remove("BACKUP_RETRY_BASE_DELAY");

        env.put("BACKUP_CONCURRENCY", "0");
        assertTrue(failure().startsWith("BACKUP_CONCURRENCY"));
        env.remove("BACKUP_CONCURRENCY");

        env.put("BACKUP_SHUTDOWN_TIMEOUT", "a while");
        assertTrue(failure().startsWith("BACKUP_SHUTDOWN_TIMEOUT"));
        env.remove("BACKUP_SHUTDOWN_TIMEOUT");

        env.put("BACKUP_TEMP_DIR", "tmp");
        assertTrue(failure().startsWith("BACKUP_TEMP_DIR"));
        env.remove("BACKUP_TEMP_DIR");

        env.put("BACKUP_ON_SHUTDOWN", "maybe");
        assertTrue(failure().startsWith("BACKUP_ON_SHUTDOWN"));
        env.remove("BACKUP_ON_SHUTDOWN");

        env.remove("BACKUP_TOKEN");
        assertTrue(failure().startsWith("BACKUP_TOKEN"));
    }

    @Test
    void durationsReadAsOnTheServerIsoFormIncluded() {
        env.put("BACKUP_SHUTDOWN_TIMEOUT", "PT30S");
        assertEquals(Duration.ofSeconds(30), load().shutdownTimeout());
        env.put("BACKUP_SHUTDOWN_TIMEOUT", "2m");
        assertEquals(Duration.ofMinutes(2), load().shutdownTimeout());
        env.put("BACKUP_HEARTBEAT_INTERVAL", "1d");
        assertEquals(Duration.ofDays(1), load().heartbeatInterval());
        env.put("BACKUP_SHUTDOWN_TIMEOUT", "-PT30S");
        assertEquals("BACKUP_SHUTDOWN_TIMEOUT must not be negative, got '-PT30S'", failure());
    }

    @Test
    void everyWrongVariableIsNamedInOneMessage() {
        env.remove("BACKUP_TOKEN");
        env.put("BACKUP_ZSTD_LEVEL", "22");
        env.put("BACKUP_MIN_FREE", "lots");
        env.put("BACKUP_DATABASES", "main=relative.db");

        assertEquals(String.join("\n  - ",
                "BACKUP_TOKEN is not set: mint one with POST /api/v1/tenants/3d8d9e1c2b3e89/tokens and set it as a secret",
                "BACKUP_DATABASES: 'main=relative.db' must hold an absolute path",
                "BACKUP_ZSTD_LEVEL must be between 1 and 19, got 22",
                "BACKUP_MIN_FREE must be a size such as 1073741824, 512MiB or 8GiB, got 'lots'"), failure());
    }

    @Test
    void tenantIsRequiredWhenNotOnFly() {
        env.remove("FLY_MACHINE_ID");
        assertTrue(failure().startsWith("BACKUP_TENANT"));
    }

    @Test
    void humanSizesAndDurationsAreUnderstood() {
        env.put("BACKUP_MIN_FREE", "1GiB");
        env.put("BACKUP_RETRY_BASE_DELAY", "250ms");
        env.put("BACKUP_RETRY_MAX_DELAY", "PT2M");
        env.put("BACKUP_REQUEST_TIMEOUT", "45");
        env.put("BACKUP_DATABASES", "main=/data/production.sqlite3, /data/extra/*.db");
        env.put("BACKUP_INTEGRITY_CHECK", "full");

        AgentConfig c = load();

        assertEquals(1L << 30, c.minFree());
        assertEquals(Duration.ofMillis(250), c.retry().baseDelay());
        assertEquals(Duration.ofMinutes(2), c.retry().maxDelay());
        assertEquals(Duration.ofSeconds(45), c.requestTimeout());
        assertEquals(2, c.databases().size());
        assertEquals(Optional.of("main"), c.databases().get(0).name());
        assertTrue(c.databases().get(1).isGlob());
        assertTrue(c.fullIntegrityCheck());
    }

    @Test
    void unknownBackupVariablesAreReportedAsLikelyTypos() {
        env.put("BACKUP_SHEDULE", "0 0 * * * ?");
        env.put("BACKUP_LOG_LEVEL", "DEBUG");

        assertEquals(Set.of("BACKUP_SHEDULE"), new AgentConfigLoader(env).unknownVariables());
    }
}
