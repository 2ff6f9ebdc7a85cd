package dev.cellar.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.config.ConfigException;
import dev.cellar.server.alert.AlertSettings;
import dev.cellar.server.metrics.MetricsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The monitoring part of the server's configuration: where alerts go, who reads {@code /metrics} and where. */
class MonitoringConfigTest {
    private static final String ADMIN = "admin-token-0123456789";

    @Test
    void alertDestinationsAreReadAndBadOnesRefusedWithoutEchoingThem() {
        assertEquals(AlertSettings.NONE, ServerConfig.fromEnv(Map.of()).alerts(), "nothing is sent when unset");
        ServerConfig config = ServerConfig.fromEnv(Map.of(
                "BACKUP_ALERT_WEBHOOK_URL", "https://hooks.example.com/services/T0/B0/secretpart",
                "SENTRY_DSN", "https://publickey@o1.ingest.sentry.io/42"));
        assertEquals(Optional.of(URI.create("https://hooks.example.com/services/T0/B0/secretpart")),
                config.alerts().webhook());
        assertEquals(Optional.of("https://publickey@o1.ingest.sentry.io/42"), config.alerts().sentryDsn());

        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
                "BACKUP_ALERT_WEBHOOK_URL", "hooks.example.com/secretpart",
                "SENTRY_DSN", "https://o1.ingest.sentry.io/secretproject")));
        assertEquals("invalid configuration:\n"
                + "  - BACKUP_ALERT_WEBHOOK_URL must be an absolute http or https URL\n"
                + "  - SENTRY_DSN must be a Sentry DSN such as https://<key>@o1.ingest.sentry.io/<project>",
                e.getMessage());
    }

    @Test
    void metricsHaveNoTokenNoPortAndNoTenantLabelByDefault() {
        MetricsSettings m = ServerConfig.fromEnv(Map.of("BACKUP_HOST", "10.0.0.5")).metrics();

        assertEquals(Optional.empty(), m.token());
        assertEquals(Optional.empty(), m.port());
        assertEquals("10.0.0.5", m.host());
        assertFalse(m.perTenant());
        assertEquals(Duration.ofMinutes(10), m.fleetTtl());
    }

    @Test
    void metricsSettingsAreReadAndTheTokenNeverShows() {
        MetricsSettings m = ServerConfig.fromEnv(Map.of("BACKUP_METRICS_TOKEN", "metrics-token-0123456789",
                "BACKUP_METRICS_PORT", "9091", "BACKUP_METRICS_HOST", "fly-local-6pn",
                "BACKUP_METRICS_PER_TENANT", "true", "BACKUP_METRICS_FLEET_TTL", "0")).metrics();

        assertEquals(Optional.of("metrics-token-0123456789"), m.token());
        assertEquals(Optional.of(9091), m.port());
        assertEquals("fly-local-6pn", m.host());
        assertTrue(m.perTenant());
        assertEquals(Duration.ZERO, m.fleetTtl());
        assertFalse(m.toString().contains("metrics-token"), m.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BACKUP_METRICS_TOKEN=short|BACKUP_METRICS_TOKEN must be at least 16 characters long",
        "BACKUP_METRICS_TOKEN=" + ADMIN + "|BACKUP_METRICS_TOKEN must differ from BACKUP_ADMIN_TOKEN",
        "BACKUP_METRICS_PORT=8080|BACKUP_METRICS_PORT must differ from PORT (8080)",
        "BACKUP_METRICS_PORT=70000|BACKUP_METRICS_PORT must be between 0 and 65535",
        "BACKUP_METRICS_PORT=metrics|BACKUP_METRICS_PORT must be a whole number",
        "BACKUP_METRICS_PER_TENANT=maybe|BACKUP_METRICS_PER_TENANT must be true or false",
        "BACKUP_METRICS_FLEET_TTL=-PT1M|BACKUP_METRICS_FLEET_TTL must not be negative",
    })
    void badMetricsSettingsAreRefusedNamingTheVariable(String setting, String expected) {
        String[] kv = setting.split("=", 2);
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("BACKUP_ADMIN_TOKEN", ADMIN, kv[0], kv[1])));

        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
