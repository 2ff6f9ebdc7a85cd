package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.snapshot.SnapshotService;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent snapshot [DATABASE...]}: back up now. */
@Command(name = "snapshot", description = "Takes a snapshot of the configured databases (or the named ones) and"
        + " uploads it; a database identical to its last upload is reported unchanged and not sent.")
final class SnapshotCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "DATABASE", description = "database names (default: all present)")
    List<String> names = List.of();

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        List<Database> present = agent.databases().present();
        for (String name : names) {
            if (present.stream().noneMatch(db -> db.name().equals(name))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no configured database named '" + name
                        + "' exists here; present: " + present.stream().map(Database::name).toList());
            }
        }
        agent.removeStaleTempFiles();
        SnapshotService.Round round = agent.snapshots().runOnce(db -> names.isEmpty() || names.contains(db.name()));
        PrintWriter out = spec.commandLine().getOut();
        for (SnapshotResult r : round.results()) {
            out.printf("%-20s %-20s %-32s %,15d bytes%s%n", r.database().name(),
                    r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.version().orElse("-"), r.sizeBytes(),
                    r.storedBytes() > 0 ? String.format(" (%,d sent)", r.storedBytes()) : "");
        }
        for (Map.Entry<String, Exception> f : round.failures().entrySet()) {
            out.printf("%-20s %-20s %s%n", f.getKey(), "failed", f.getValue().getMessage());
        }
        out.flush();
        if (round.ok()) {
            return ExitCodes.OK;
        }
        return round.failures().values().stream().allMatch(e -> e instanceof ServerUnavailableException)
                ? ExitCodes.SERVER_UNAVAILABLE : ExitCodes.FAILED;
    }
}
