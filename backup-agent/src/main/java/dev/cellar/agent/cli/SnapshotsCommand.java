package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.client.SnapshotPage;
import dev.cellar.agent.config.Database;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

    @Mixin
    JsonOption json;

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
        if (json.json) {
            List<Map<String, Object>> databases = new ArrayList<>();
            for (String name : names) {
                databases.add(JsonDocs.object("database", name,
                        "snapshots", list(agent, name).stream().map(JsonDocs::snapshot).toList()));
            }
            JsonOption.print(out, JsonDocs.object("tenant", agent.config().tenant(), "databases", databases));
            return ExitCodes.OK;
        }
        out.printf("%-20s %-32s %-24s %15s %15s  %-16s %s%n", "DATABASE", "VERSION", "CREATED", "SIZE", "STORED",
                "MACHINE", "VERIFIED");
        for (String name : names) {
            for (SnapshotInfo s : list(agent, name)) {
                out.printf("%-20s %-32s %-24s %,15d %,15d  %-16s %s%n", name, s.version(), s.createdAt(),
                        s.sizeBytes(), s.storedBytes(), s.machineId().orElse("-"), s.verification().orElse("-"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Up to {@code limit} snapshots of {@code name}, newest first; none when the server has not seen it. */
    private List<SnapshotInfo> list(Agent agent, String name) throws Exception {
        List<SnapshotInfo> found = new ArrayList<>();
        Optional<String> before = Optional.empty();
        while (found.size() < limit) {
            Optional<String> cursor = before;
            int pageSize = Math.min(100, limit - found.size());
            SnapshotPage page;
            try {
                page = agent.retrier().call("listing of " + name, () -> agent.client().list(name, pageSize, cursor));
            } catch (ApiException e) {
                if (e.status() == 404) {
                    return found; // the server has not seen this database yet: no snapshots to show
                }
                throw e;
            }
            found.addAll(page.snapshots());
            if (page.next().isEmpty() || page.snapshots().isEmpty()) {
                break;
            }
            before = page.next();
        }
        return found.size() > limit ? found.subList(0, limit) : found;
    }
}
