package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfig;
import dev.cellar.agent.config.Database;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent config}: what the agent would do, without doing it. The token is never printed. */
@Command(name = "config", description = "Validates the configuration and prints it with the databases found.")
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @Mixin
    HelpOption help;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        AgentConfig c = agent.config();
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            JsonOption.print(out, JsonDocs.config(c, agent.databases().present()));
            return ExitCodes.OK;
        }
        out.println("server          " + c.serverUrl());
        out.println("tenant          " + c.tenant());
        out.println("machine id      " + c.machineId().orElse("-"));
        out.println("region          " + c.region().orElse("-"));
        out.println("databases       " + c.databases());
        out.println("schedule        " + c.schedule());
        out.println("on shutdown     " + c.snapshotOnShutdown() + " (within " + c.shutdownTimeout() + ")");
        out.println("temp dir        " + c.tempDir().map(Object::toString).orElse("beside each database"));
        out.println("state dir       " + c.stateDir().map(Object::toString).orElse(".cellar/ beside each database"));
        out.println("zstd            level " + c.zstdLevel() + ", " + c.zstdWorkers() + " workers");
        out.println("concurrency     " + c.concurrency() + " databases at a time");
        out.println("check           " + (c.fullIntegrityCheck() ? "integrity_check" : "quick_check"));
        out.println("min free        " + c.minFree() + " bytes");
        out.println("heartbeat       " + (c.machineId().isPresent() ? "every " + c.heartbeatInterval()
                : "off (no BACKUP_MACHINE_ID nor FLY_MACHINE_ID)"));
        out.println("empty start     " + (c.allowEmptyStart() ? "allowed when the server cannot be reached"
                : "refused: a missing database the server cannot be asked about stops the boot"));
        out.println("retry           " + c.retry().attempts() + " attempts, " + c.retry().baseDelay() + " doubling to "
                + c.retry().maxDelay());
        for (Database db : agent.databases().present()) {
            out.println("found           " + db.name() + " = " + db.path());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
