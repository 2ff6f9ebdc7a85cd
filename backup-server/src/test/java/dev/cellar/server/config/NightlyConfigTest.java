package dev.cellar.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import dev.cellar.server.jobs.JobDatabase;
import dev.cellar.server.jobs.SchedulerSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scheduler's and stale detection's variables: defaults, the two URL forms, and every refusal. */
class NightlyConfigTest {

    @Test
    void withoutVariablesTheChainFiresAtThreeUtcFromMemoryAndStaleMeans26Hours() {
        ServerConfig config = ServerConfig.fromEnv(Map.of());

        assertEquals("0 0 3 * * ?", config.scheduler().cron());
        assertEquals(Optional.empty(), config.scheduler().database());
        assertFalse(config.scheduler().clustered());
        assertEquals(Duration.ofHours(26), config.staleAfter());
    }

    @Test
    void instancesAreNamedAfterTheFlyMachineOrUniquely() {
        assertEquals("148e123", ServerConfig.fromEnv(Map.of("FLY_MACHINE_ID", "148e123")).scheduler().instanceId());
        assertNotEquals(ServerConfig.fromEnv(Map.of()).scheduler().instanceId(),
                ServerConfig.fromEnv(Map.of()).scheduler().instanceId());
    }

    @Test
    void aJdbcUrlWithUserAndPasswordSelectsTheClusteredStore() {
        SchedulerSettings s = ServerConfig.fromEnv(Map.of("BACKUP_DB_URL", "jdbc:postgresql://db:5432/cellar",
                "BACKUP_DB_USER", "cellar", "BACKUP_DB_PASSWORD", "s3cret", "BACKUP_NIGHTLY_CRON", "0 15 1 ? * MON"))
                .scheduler();

        assertTrue(s.clustered());
        assertEquals(new JobDatabase("jdbc:postgresql://db:5432/cellar", "cellar", "s3cret"), s.database().get());
        assertEquals("0 15 1 ? * MON", s.cron());
        assertFalse(s.database().get().toString().contains("s3cret"), "toString hides the password");
    }

    @Test
    void aPostgresUrlAsFlyHandsItOutIsConvertedWithItsCredentials() {
        JobDatabase db = ServerConfig.fromEnv(Map.of("BACKUP_DB_URL",
                "postgres://cellar:p%40ss@cellar-db.flycast:5432/cellar?sslmode=disable")).scheduler()
                .database().orElseThrow();

        assertEquals(new JobDatabase("jdbc:postgresql://cellar-db.flycast:5432/cellar?sslmode=disable", "cellar",
                "p@ss"), db);
        assertEquals("postgresql://cellar-db.flycast:5432/cellar", db.describe());
    }

    @Test
    void explicitCredentialsWinOverThoseInTheUrl() {
        JobDatabase db = ServerConfig.fromEnv(Map.of("BACKUP_DB_URL", "postgresql://a:b@h/d",
                "BACKUP_DB_USER", "other", "BACKUP_DB_PASSWORD", "pw")).scheduler().database().orElseThrow();

        assertEquals(new JobDatabase("jdbc:postgresql://h/d", "other", "pw"), db);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 3 * *", "every night", "0 0 25 * * ?", "0 0 3 * * MON"})
    void aBadCronIsRefusedNamingTheVariable(String cron) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_NIGHTLY_CRON", cron)));

        assertTrue(e.getMessage().contains("BACKUP_NIGHTLY_CRON must be a Quartz cron expression such as "
                + "'0 0 3 * * ?'"), e.getMessage());
        assertTrue(e.getMessage().contains(cron), e.getMessage());
    }

    @Test
    void aCronThatNeverFiresAgainIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_NIGHTLY_CRON", "0 0 3 1 1 ? 2001")));

        assertEquals("invalid configuration:\n  - BACKUP_NIGHTLY_CRON never fires again: '0 0 3 1 1 ? 2001'",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://u:topsecret@h/d", "jdbc:mysql://h/d?password=topsecret",
        "postgres://u:topsecret@/nodb", "postgres://u:topsecret@host"})
    void aUrlThatIsNotPostgresIsRefusedWithoutRepeatingIt(String url) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_DB_URL", url)));

        assertTrue(e.getMessage().contains("BACKUP_DB_URL must"), e.getMessage());
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }

    @Test
    void aUserOrPasswordWithoutUrlIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "BACKUP_DB_USER", "cellar", "BACKUP_DB_PASSWORD", "pw")));

        assertEquals("invalid configuration:\n  - BACKUP_DB_USER is set but BACKUP_DB_URL is not\n"
                + "  - BACKUP_DB_PASSWORD is set but BACKUP_DB_URL is not", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "PT0S", "-PT1H", "a day"})
    void aStaleAfterThatIsNotAPositiveDurationIsRefused(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_STALE_AFTER", value)));

        assertTrue(e.getMessage().contains("BACKUP_STALE_AFTER must"), e.getMessage());
    }

    @Test
    void staleAfterTakesSecondsOrIsoDurations() {
        assertEquals(Duration.ofHours(30), ServerConfig.fromEnv(Map.of("BACKUP_STALE_AFTER", "PT30H")).staleAfter());
        assertEquals(Duration.ofSeconds(90), ServerConfig.fromEnv(Map.of("BACKUP_STALE_AFTER", "90")).staleAfter());
    }
}
