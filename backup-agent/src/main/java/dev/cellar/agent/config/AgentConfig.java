package dev.cellar.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The agent's whole configuration, loaded once from the environment by {@link AgentConfigLoader}.
 *
 * @param tempDir   where snapshots are written before upload; empty = beside each database
 * @param stateDir  where the last uploaded digest of each database is kept; empty = {@code .cellar/} beside it
 * @param minFree   bytes a snapshot or restore always leaves free on the volume it writes to
 * @param concurrency     how many databases are snapshotted at the same time (each one only once at a time)
 * @param shutdownTimeout how long the last snapshot, after the app has exited, may take before the agent gives up
 * @param region          the machine's region ({@code FLY_REGION}), sent with heartbeats
 * @param heartbeatInterval time between heartbeats, which also fetch the pending restore requests
 * @param allowEmptyStart start the app even when a missing database could not be restored because the server
 *                        could not be reached
 * @param metricsPort     serve {@code GET /metrics} on this port while the app runs ({@code BACKUP_METRICS_PORT})
 */
public record AgentConfig(
        URI serverUrl,
        String tenant,
        String token,
        Optional<String> machineId,
        List<DatabaseSpec> databases,
        String schedule,
        boolean snapshotOnShutdown,
        Duration shutdownTimeout,
        Optional<Path> tempDir,
        Optional<Path> stateDir,
        int zstdLevel,
        int zstdWorkers,
        int concurrency,
        boolean fullIntegrityCheck,
        long minFree,
        RetryPolicy retry,
        Duration requestTimeout,
        Optional<String> region,
        Duration heartbeatInterval,
        boolean allowEmptyStart,
        Optional<Integer> metricsPort) {

    /** The token stays out of every log line and error message, so it stays out of toString too. */
    @Override
    public String toString() {
        return "AgentConfig[serverUrl=" + serverUrl + ", tenant=" + tenant + ", token=(hidden)"
                + ", machineId=" + machineId.orElse("-") + ", databases=" + databases + ", schedule=" + schedule
                + ", snapshotOnShutdown=" + snapshotOnShutdown + ", shutdownTimeout=" + shutdownTimeout + ", tempDir=" + tempDir.map(Path::toString).orElse("-")
                + ", stateDir=" + stateDir.map(Path::toString).orElse("-") + ", zstdLevel=" + zstdLevel
                + ", zstdWorkers=" + zstdWorkers + ", concurrency=" + concurrency + ", fullIntegrityCheck=" + fullIntegrityCheck
                + ", minFree=" + minFree + ", retry=" + retry + ", requestTimeout=" + requestTimeout
                + ", region=" + region.orElse("-") + ", heartbeatInterval=" + heartbeatInterval
                + ", allowEmptyStart=" + allowEmptyStart + ", metricsPort=" + metricsPort.map(String::valueOf).orElse("-")
                + "]";
    }
}
