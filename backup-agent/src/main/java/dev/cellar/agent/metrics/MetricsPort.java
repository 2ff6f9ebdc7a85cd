package dev.cellar.agent.metrics;

import dev.cellar.agent.run.AppRunner;
import dev.cellar.core.MetricsListener;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} on {@code BACKUP_METRICS_PORT} while the app runs, for a platform scraper (Fly's reaches the
 * machine over its private network). A port that cannot be bound is logged and skipped: metrics never keep the app
 * from starting or the backups from running.
 */
public final class MetricsPort implements AppRunner.Companion {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPort.class);
    /** Every interface: the platform's scraper comes over the private network, which the app's public port is not. */
    private static final String HOST = "0.0.0.0";
    private final int port;
    private final AgentMetrics metrics;
    private MetricsListener listener;

    public MetricsPort(int port, AgentMetrics metrics) {
        this.port = port;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        try {
            listener = MetricsListener.start(HOST, port, metrics::scrape);
            LOG.info("event=metrics.listening port={}", listener.port());
        } catch (IOException e) {
            LOG.error("event=metrics.listen_failed port={} error=\"{}\"", port, e.getMessage());
        } catch (LinkageError e) { // a trimmed runtime without the jdk.httpserver module
            LOG.error("event=metrics.listen_failed port={} error=\"{}\" hint=\"add jdk.httpserver to the runtime\"",
                    port, e);
        }
    }

    @Override
    public void stop(java.time.Instant deadline) { // closing the listener does not wait
        if (listener != null) {
            listener.close();
        }
    }
}
