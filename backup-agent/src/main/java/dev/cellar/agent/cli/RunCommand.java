package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.restore.BootRestore;
import dev.cellar.agent.run.AppRunner;
import dev.cellar.agent.run.Signals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent run -- bin/rails server}: the agent's life on a tenant machine. */
@Command(name = "run",
        description = {"Restores every configured database whose file is missing, then starts COMMAND (if given)"
                + " and takes snapshots on BACKUP_SCHEDULE until it exits; a last snapshot follows (BACKUP_ON_SHUTDOWN).",
            "SIGTERM and SIGINT are passed on to COMMAND. If a restore fails, COMMAND is not started."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @Mixin
    HelpOption help;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "the app to run, after --")
    List<String> command = List.of();

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        agent.removeStaleTempFiles();
        new BootRestore(agent.databases(), agent.restorer()).restoreMissing(agent.serverDatabases());
        AppRunner runner = new AppRunner(agent.snapshots(), agent.config().schedule(),
                agent.config().snapshotOnShutdown(), agent.config().shutdownTimeout());
        Signals.onTermination(runner::stop);
        return runner.run(command);
    }
}
