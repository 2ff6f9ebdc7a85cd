package dev.cellar.server.metrics;

import java.time.Duration;
import java.util.Optional;

/**
 * How the server exposes its metrics.
 *
 * @param token     {@code BACKUP_METRICS_TOKEN}: a bearer token that opens {@code GET /metrics} and nothing else, for a
 *                  scraper that should not hold the admin token; empty = the admin token only
 * @param port      {@code BACKUP_METRICS_PORT}: a second listener that serves {@code /metrics} without a token, for
 *                  scrapers that cannot send one (Fly's); empty = none
 * @param host      {@code BACKUP_METRICS_HOST}: the address that listener binds
 * @param perTenant {@code BACKUP_METRICS_PER_TENANT}: add a {@code tenant} label (one series per tenant)
 * @param fleetTtl  {@code BACKUP_METRICS_FLEET_TTL}: how old the fleet figures (databases by status, oldest backup)
 *                  may get before a scrape starts a new walk of the bucket
 */
public record MetricsSettings(Optional<String> token, Optional<Integer> port, String host, boolean perTenant,
                              Duration fleetTtl) {
    public static final Duration DEFAULT_FLEET_TTL = Duration.ofMinutes(10);

    /** No metrics token, no second listener, no tenant label: what a server gets without any variable. */
    public static MetricsSettings defaults(String host) {
        return new MetricsSettings(Optional.empty(), Optional.empty(), host, false, DEFAULT_FLEET_TTL);
    }

    /** The token stays out of logs and error messages. */
    @Override
    public String toString() {
        return "MetricsSettings[token=" + (token.isPresent() ? "(set)" : "-") + ", port=" + port.map(String::valueOf)
                .orElse("-") + ", host=" + host + ", perTenant=" + perTenant + ", fleetTtl=" + fleetTtl + "]";
    }
}
