package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.DiskSpace;
import dev.cellar.agent.log.Kv;
import dev.cellar.core.config.UnknownVariables;
import java.io.PrintWriter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code cellar-agent} command: builds the agent once, maps failures to exit codes. */
@Command(name = "cellar-agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Backs up this machine's SQLite databases to the Cellar server and restores them.",
        subcommands = {RunCommand.class, BackupCommand.class, SnapshotsCommand.class, RestoreCommand.class,
                ConfigCommand.class, VerifyCommand.class, CompletionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (a snapshot identical to the last one counts as done)",
            "1:failed: a check refused the snapshot, the server refused a request, or a restore failed verification",
            "2:usage or configuration error (the message names the option or variable)",
            "3:restore: the server holds no matching snapshot",
            "4:the server could not be reached, or kept answering 5xx/408/429, through every retry",
            "*:run: once the app has started, the app's own exit status"},
        footerHeading = "%nConfiguration:%n",
        footer = {"Environment variables BACKUP_SERVER_URL, BACKUP_TOKEN, BACKUP_TENANT (default FLY_MACHINE_ID),",
            "BACKUP_DATABASES (default /data/*.sqlite3) and more: see `cellar-agent config` and docs/agent.md."})
public final class AgentCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    private final Map<String, String> env;
    private final DiskSpace disk;
    private Agent agent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AgentCommand(Map<String, String> env, DiskSpace disk) {
        this.env = env;
        this.disk = disk;
    }

    /** A command line ready to {@code execute(args)}; returns the exit status. */
    public static CommandLine commandLine(Map<String, String> env, DiskSpace disk) {
        AgentCommand command = new AgentCommand(env, disk);
        CommandLine cli = new CommandLine(command);
        // the agent is closed when the command ends: its HTTP client's thread would hold the process's exit
        cli.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                command.close();
            }
        });
        cli.setExecutionExceptionHandler(AgentCommand::handle);
        // every command's --help lists the exit codes, not only the top level's
        CommandLine.Model.UsageMessageSpec top = cli.getCommandSpec().usageMessage();
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().exitCodeListHeading(top.exitCodeListHeading())
                    .exitCodeList(top.exitCodeList());
        }
        return cli;
    }

    /** The agent for this invocation, configured from the environment on first use. */
    Agent agent() {
        if (agent == null) {
            AgentConfigLoader loader = new AgentConfigLoader(env);
            UnknownVariables.warn(loader.unknownVariables(), AgentConfigLoader.KNOWN);
            agent = new Agent(loader.load(), disk);
        }
        return agent;
    }

    /** Closes the agent, if this invocation built one; a later command builds a new one. */
    private void close() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command");
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        int code = ExitCodes.of(e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (cli.getParseResult() != null && cli.getParseResult().hasMatchedOption(JsonOption.NAME)) {
            JsonOption.printFailure(cli.getOut(), code, message);
        }
        if (code == ExitCodes.USAGE) {
            PrintWriter err = cli.getErr();
            err.println("cellar-agent: " + message);
            err.flush();
        } else if (code == ExitCodes.NOTHING_TO_RESTORE) {
            LOG.warn("event=restore.nothing command={} reason={}", cli.getCommandName(), Kv.quote(message));
        } else {
            LOG.error("event=command.failed command={} error={}", cli.getCommandName(), Kv.quote(message));
            LOG.debug("event=command.failed detail", e);
        }
        return code;
    }
}
