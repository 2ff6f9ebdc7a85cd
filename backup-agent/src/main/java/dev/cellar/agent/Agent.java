package dev.cellar.agent;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.config.AgentConfig;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.files.DiskSpace;
import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.TempFiles;
import dev.cellar.agent.metrics.AgentMetrics;
import dev.cellar.agent.requests.RestoreRequests;
import dev.cellar.agent.restore.Restorer;
import dev.cellar.agent.snapshot.Compressor;
import dev.cellar.agent.snapshot.DatabaseHealth;
import dev.cellar.agent.snapshot.SnapshotService;
import dev.cellar.agent.snapshot.Snapshotter;
import dev.cellar.agent.snapshot.UploadState;
import dev.cellar.agent.snapshot.VacuumInto;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's parts, built once from its configuration; every command works through one of these. */
public final class Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final DatabaseResolver databases;
    private final BackupClient client;
    private final Retrier retrier;
    private final UploadState state;
    private final Snapshotter snapshotter;
    private final SnapshotService snapshots;
    private final Restorer restorer;
    private final Optional<RestoreRequests> requests;
    private final AgentMetrics metrics = new AgentMetrics(Clock.systemUTC());

    public Agent(AgentConfig config, DiskSpace disk) {
        this(config, disk, VacuumInto::copy);
    }

    /** @param vacuum how snapshots copy a live database (tests observe it here) */
    public Agent(AgentConfig config, DiskSpace disk, Snapshotter.Vacuum vacuum) {
        this.config = config;
        this.databases = new DatabaseResolver(config.databases());
        this.client = new BackupClient(config.serverUrl(), config.tenant(), config.token(), config.requestTimeout());
        this.retrier = new Retrier(config.retry());
        this.state = new UploadState(config.stateDir());
        SpaceBudget budget = new SpaceBudget(disk, config.minFree());
        this.snapshotter = new Snapshotter(
                new Snapshotter.Settings(config.tempDir(), config.fullIntegrityCheck(), config.machineId()),
                budget, new Compressor(config.zstdLevel(), config.zstdWorkers()), state, client, retrier, vacuum);
        DatabaseHealth health = new DatabaseHealth(Clock.systemUTC());
        this.snapshots = new SnapshotService(databases, snapshotter, config.concurrency(), health, metrics);
        this.restorer = new Restorer(client, retrier, config.retry().attempts(), budget);
        this.requests = config.machineId().map(id -> new RestoreRequests(client, retrier,
                new RestoreRequests.Machine(id, config.region(), AgentVersion.current()), databases, state,
                restorer.skippedVersions(), health));
    }

    public AgentConfig config() {
        return config;
    }

    public DatabaseResolver databases() {
        return databases;
    }

    public BackupClient client() {
        return client;
    }

    public Retrier retrier() {
        return retrier;
    }

    public UploadState state() {
        return state;
    }

    public SnapshotService snapshots() {
        return snapshots;
    }

    /** The snapshot figures that {@code BACKUP_METRICS_PORT} serves. */
    public AgentMetrics metrics() {
        return metrics;
    }

    public Restorer restorer() {
        return restorer;
    }

    public Snapshotter snapshotter() {
        return snapshotter;
    }

    /** Heartbeats and restore requests; empty without a machine id, which both need. */
    public Optional<RestoreRequests> restoreRequests() {
        return requests;
    }

    /** Ends this agent's use of the network: what a command does last, so that the process exits at once. */
    public void close() {
        client.close();
    }

    /** The databases the server holds for this tenant, asked only when a glob leaves names open. */
    public List<String> serverDatabases() throws IOException, ApiException, InterruptedException {
        if (!databases.hasGlobs()) {
            return List.of();
        }
        return retrier.call("listing of databases", client::databases);
    }

    /** Removes what a crashed agent left in the folders this one writes to. */
    public void removeStaleTempFiles() {
        Set<Path> folders = new LinkedHashSet<>();
        config.tempDir().ifPresent(folders::add);
        // beside every configured path, present or not: a boot restore that crashed left its temp file beside a
        // database that is still missing, and a crash loop would otherwise pile them up until the disk is full
        for (Path folder : databases.folders()) {
            folders.add(folder);
        }
        try {
            for (Database db : databases.present()) {
                folders.add(snapshotter.tempFolder(db));
                folders.add(db.path().toAbsolutePath().getParent());
                folders.add(state.fileFor(db).getParent());
            }
        } catch (IOException e) {
            LOG.warn("event=tempfile.scan_failed error={}", e.toString());
        }
        for (Path folder : folders) {
            try {
                TempFiles.removeStale(folder);
            } catch (IOException e) {
                LOG.warn("event=tempfile.scan_failed path={} error={}", folder, e.toString());
            }
        }
    }
}
