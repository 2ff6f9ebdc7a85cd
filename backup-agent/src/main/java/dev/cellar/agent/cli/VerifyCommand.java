package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.files.TempFiles;
import dev.cellar.agent.restore.RestoreResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent verify --database NAME}: a restore drill from the tenant's side, installing nothing. */
@Command(name = "verify", description = {
    "Downloads a snapshot and runs every check a restore runs — its digest, a complete SQLite image, integrity_check —"
        + " without installing it: the database on this machine is not touched.",
    "The copy is written to a temporary file (in BACKUP_TEMP_DIR, else beside the database's configured path, else in"
        + " the system's temp dir) and removed. Exit 0: the snapshot would restore; 1: it fails a check."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    AgentCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    JsonOption json;

    @Option(names = "--database", required = true, paramLabel = "NAME", description = "database name on the server")
    String database;

    @ArgGroup(exclusive = true)
    RestoreCommand.Which which;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        Path folder = agent.config().tempDir()
                .or(() -> agent.databases().pathFor(database).map(p -> p.toAbsolutePath().getParent()))
                .orElse(Path.of(System.getProperty("java.io.tmpdir")));
        // a name of the agent's own temp files: a crash's leftover is removed by the next agent that starts
        Path copy = TempFiles.create(folder, database + ".verify");
        RestoreResult r;
        try {
            Files.delete(copy); // the restore installs a new file under this name: nothing may be there
            r = agent.restorer().restore(database, RestoreCommand.Which.selector(which, spec.commandLine()), copy,
                    true);
        } finally {
            TempFiles.deleteQuietly(copy);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            JsonOption.print(out, JsonDocs.object("verified", true, "database", r.database(), "version", r.version(),
                    "sha256", r.sha256(), "sizeBytes", r.sizeBytes(), "storedBytes", r.storedBytes(),
                    "resumes", r.resumes(), "durationMs", r.took().toMillis()));
        } else {
            out.printf("verified %s version %s (%,d bytes): digest and integrity_check pass%n", database, r.version(),
                    r.sizeBytes());
            out.flush();
        }
        return ExitCodes.OK;
    }
}
