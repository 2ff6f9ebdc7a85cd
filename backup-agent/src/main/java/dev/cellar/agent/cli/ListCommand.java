package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.client.SnapshotPage;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent list DATABASE}: the snapshots the server holds, newest first. */
@Command(name = "list", description = "Lists a database's snapshots on the server, newest first.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATABASE", description = "database name on the server")
    String database;

    @Option(names = "--limit", defaultValue = "20", description = "how many to show (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-32s %-24s %15s %15s  %-16s %s%n", "VERSION", "CREATED", "SIZE", "STORED", "MACHINE", "VERIFIED");
        Optional<String> before = Optional.empty();
        int shown = 0;
        while (shown < limit) {
            Optional<String> cursor = before;
            int pageSize = Math.min(100, limit - shown);
            SnapshotPage page = agent.retrier().call("listing of " + database,
                    () -> agent.client().list(database, pageSize, cursor));
            for (SnapshotInfo s : page.snapshots()) {
                out.printf("%-32s %-24s %,15d %,15d  %-16s %s%n", s.version(), s.createdAt(), s.sizeBytes(),
                        s.storedBytes(), s.machineId().orElse("-"), s.verification().orElse("-"));
                shown++;
            }
            if (page.next().isEmpty() || page.snapshots().isEmpty()) {
                break;
            }
            before = page.next();
        }
        out.flush();
        return ExitCodes.OK;
    }
}
