package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfig;
import dev.cellar.agent.metrics.MetricsPort;
import dev.cellar.agent.requests.BootRequests;
import dev.cellar.agent.requests.HeartbeatLoop;
import dev.cellar.agent.requests.LiveRestore;
import dev.cellar.agent.requests.RestoreRequests;
import dev.cellar.agent.restore.BootRestore;
import dev.cellar.agent.restore.RequestedRestores;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.run.AppRunner;
import dev.cellar.agent.run.EmptyDatabaseCheck;
import dev.cellar.agent.run.Signals;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent run -- bin/rails server}: the agent's life on a tenant machine. */
@Command(name = "run",
        description = {"Sends a heartbeat, restores every configured database whose file is missing (the version a"
                + " pending restore request pins, else the latest), then starts COMMAND (if given) and takes snapshots"
                + " on BACKUP_SCHEDULE until it exits; a last snapshot follows (BACKUP_ON_SHUTDOWN).",
            "A database on disk that holds no data while the server holds a backup of it (created before the agent"
                + " could restore it) is reported as event=database.empty_with_backup; the app starts anyway.",
            "Heartbeats go on every BACKUP_HEARTBEAT_INTERVAL and apply restore requests for the databases present.",
            "SIGTERM and SIGINT are passed on to COMMAND. If a restore fails, or a database is missing and the server"
                + " cannot be reached (unless BACKUP_ALLOW_EMPTY_START=true), COMMAND is not started."})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @ParentCommand
    AgentCommand parent;

    @Mixin
    HelpOption help;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "the app to run, after --")
    List<String> command = List.of();

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        AgentConfig config = agent.config();
        agent.removeStaleTempFiles();
        Optional<RestoreRequests> requests = agent.restoreRequests();
        BootRequests boot = null;
        if (requests.isPresent()) {
            boot = BootRequests.fetch(requests.get(), agent.restorer());
        } else {
            LOG.warn("event=heartbeat.disabled reason=\"neither BACKUP_MACHINE_ID nor FLY_MACHINE_ID is set: no"
                    + " heartbeats, and restore requests are not applied\"");
        }
        List<RestoreResult> restored = new BootRestore(agent.databases(), agent.restorer(), agent.state(),
                new BootRestore.Settings(config.serverUrl(), config.allowEmptyStart()))
                .restoreMissing(agent::serverDatabases, boot == null ? RequestedRestores.NONE : boot);
        new EmptyDatabaseCheck(agent.databases(), agent.client())
                .run(restored.stream().map(RestoreResult::database).collect(Collectors.toSet()));
        AppRunner runner = new AppRunner(agent.snapshots(), config.schedule(), config.snapshotOnShutdown(),
                config.shutdownTimeout(), agent.retrier()::stopBy);
        if (boot != null) {
            LiveRestore live = new LiveRestore(requests.get(), agent.databases(), agent.snapshotter(),
                    agent.restorer(), agent.state());
            runner.alongside(new HeartbeatLoop(requests.get(), live, config.heartbeatInterval(), boot.pending()));
        }
        config.metricsPort().ifPresent(port -> runner.alongside(new MetricsPort(port, agent.metrics())));
        Signals.onTermination(runner::stop);
        return runner.run(command);
    }
}
