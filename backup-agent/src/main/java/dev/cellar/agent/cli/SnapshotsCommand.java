package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.client.SnapshotPage;
import dev.cellar.agent.config.Database;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent snapshots [--database NAME]}: the snapshots the server holds, newest first. */
@Command(name = "snapshots", description = {"Lists the snapshots the server holds, newest first: of one database, or"
        + " of every configured database (those present here, those named in BACKUP_DATABASES and, when it has a"
        + " glob, those the server holds for this tenant)."})
final class SnapshotsCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--database", paramLabel = "NAME", description = "only this database (default: every configured one)")
    String database;

    @Option(names = "--limit", defaultValue = "20", description = "how many to show per database (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        Set<String> names = new LinkedHashSet<>();
        if (database != null) {
            names.add(database);
        } else {
            agent.databases().present().stream().map(Database::name).forEach(names::add);
            names.addAll(agent.databases().namedDatabases());
            names.addAll(agent.serverDatabases());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-20s %-32s %-24s %15s %15s  %-16s %s%n", "DATABASE", "VERSION", "CREATED", "SIZE", "STORED",
                "MACHINE", "VERIFIED");
        for (String name : names) {
            list(agent, name, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void list(Agent agent, String name, PrintWriter out) throws Exception {
        Optional<String> before = Optional.empty();
        int shown = 0;
        while (shown < limit) {
            Optional<String> cursor = before;
            int pageSize = Math.min(100, limit - shown);
            SnapshotPage page;
            try {
                page = agent.retrier().call("listing of " + name, () -> agent.client().list(name, pageSize, cursor));
            } catch (ApiException e) {
                if (e.status() == 404) {
                    return; // the server has not seen this database yet: no snapshots to show
                }
                throw e;
            }
            for (SnapshotInfo s : page.snapshots()) {
                out.printf("%-20s %-32s %-24s %,15d %,15d  %-16s %s%n", name, s.version(), s.createdAt(),
                        s.sizeBytes(), s.storedBytes(), s.machineId().orElse("-"), s.verification().orElse("-"));
                shown++;
            }
            if (page.next().isEmpty() || page.snapshots().isEmpty()) {
                break;
            }
            before = page.next();
        }
    }
}
