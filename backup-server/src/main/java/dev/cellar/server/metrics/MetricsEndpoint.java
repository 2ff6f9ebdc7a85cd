package dev.cellar.server.metrics;

import dev.cellar.core.Hex;
import dev.cellar.core.MetricsListener;
import dev.cellar.server.auth.Access;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.tenant.TenantWalk;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: on the API port for the admin token or {@code BACKUP_METRICS_TOKEN} (which opens nothing
 * else), and, when {@code BACKUP_METRICS_PORT} is set, without a token on a listener of its own that serves only
 * this.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private final PrometheusMetrics metrics;
    private final Access access;
    private final MetricsSettings settings;
    private final FleetGauges fleet;
    /** SHA-256 of the metrics token, compared in constant time; null without one. */
    private final byte[] tokenDigest;
    private MetricsListener listener;

    public MetricsEndpoint(PrometheusMetrics metrics, Access access, MetricsSettings settings, TenantWalk tenants,
                           SnapshotCatalog catalog, BackupStatus status, Clock clock) {
        this.metrics = metrics;
        this.access = access;
        this.settings = settings;
        this.fleet = new FleetGauges(tenants, catalog, status, metrics.registry(), settings, clock);
        this.tokenDigest = settings.token().map(MetricsEndpoint::sha256).orElse(null);
    }

    /** The route on the API port. */
    public void get(Context ctx) {
        if (!isMetricsToken(ctx.header("Authorization"))) {
            access.requireAdmin(ctx); // 401 without a token or with a wrong one, 403 for a tenant's
        }
        ctx.contentType(MetricsListener.CONTENT_TYPE).result(scrape());
    }

    /** Starts the tokenless listener when {@code BACKUP_METRICS_PORT} is set. */
    public void listen() throws IOException {
        if (settings.port().isEmpty()) {
            return;
        }
        listener = MetricsListener.start(settings.host(), settings.port().get(), this::scrape);
        log.info("event=metrics.listening host={} port={}", settings.host(), listener.port());
    }

    /** The tokenless listener's port, when there is one. */
    public Optional<Integer> port() {
        return Optional.ofNullable(listener).map(MetricsListener::port);
    }

    private String scrape() {
        fleet.refreshIfDue();
        return metrics.scrape();
    }

    private boolean isMetricsToken(String authorization) {
        return tokenDigest != null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(tokenDigest, sha256(authorization.substring(7).trim()));
    }

    private static byte[] sha256(String token) {
        return Hex.sha256().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        fleet.close();
    }
}
