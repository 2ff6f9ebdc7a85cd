package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.snapshot.SnapshotResult;
import dev.cellar.agent.snapshot.SnapshotService;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent backup [--database NAME]}: take a snapshot now. */
@Command(name = "backup", description = {"Takes a snapshot of every configured database present (or of the one named)"
        + " and uploads it; a database identical to its last upload is reported unchanged and not sent.",
    "A snapshot of a database that is already being taken (by the schedule, or another backup) waits for it to end."})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    JsonOption json;

    @Option(names = "--database", paramLabel = "NAME", description = "only this database (default: all present)")
    String database;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        if (database != null) {
            List<Database> present = agent.databases().present();
            if (present.stream().noneMatch(db -> db.name().equals(database))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--database: no configured database"
                        + " named '" + database + "' exists here; present: "
                        + present.stream().map(Database::name).toList());
            }
        }
        agent.removeStaleTempFiles();
        SnapshotService.Round round = agent.snapshots().runOnce(db -> database == null || database.equals(db.name()));
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            JsonOption.print(out, JsonDocs.object("ok", round.ok(),
                    "results", round.results().stream().map(JsonDocs::backup).toList(),
                    "failures", round.failures().entrySet().stream()
                            .map(f -> JsonDocs.failure(f.getKey(), f.getValue())).toList()));
            return status(round);
        }
        for (SnapshotResult r : round.results()) {
            out.printf("%-20s %-20s %-32s %,15d bytes%s%n", r.database().name(),
                    r.outcome().name().toLowerCase(Locale.ROOT), r.version().orElse("-"), r.sizeBytes(),
                    r.storedBytes() > 0 ? String.format(" (%,d sent)", r.storedBytes()) : "");
        }
        for (Map.Entry<String, Exception> f : round.failures().entrySet()) {
            out.printf("%-20s %-20s %s%n", f.getKey(), "failed", f.getValue().getMessage());
        }
        out.flush();
        return status(round);
    }

    private static int status(SnapshotService.Round round) {
        if (round.ok()) {
            return ExitCodes.OK;
        }
        return round.failures().values().stream().allMatch(e -> e instanceof ServerUnavailableException)
                ? ExitCodes.SERVER_UNAVAILABLE : ExitCodes.FAILED;
    }
}
