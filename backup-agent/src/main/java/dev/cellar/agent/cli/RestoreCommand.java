package dev.cellar.agent.cli;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.restore.NothingToRestoreException;
import dev.cellar.agent.restore.RestoreResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cellar-agent restore --database NAME}: bring a snapshot back. */
@Command(name = "restore", description = {
    "Downloads a snapshot, verifies its digest, decompresses it beside the target, runs integrity_check, and installs it.",
    "A missing target gets the file renamed into place. An existing one (the app may have it open) gets the snapshot's"
        + " content in one write transaction, which first copies its current content to <target>.pre-restore-<time>"
        + " (with --force: no copy, through SQLite's backup API). A failed restore leaves the target as it was.",
    "With --if-db-not-exists (for a container's boot script) it does nothing and exits 0 when the target exists, and"
        + " also when the server holds no snapshot of the database yet (a new tenant); it says which."})
final class RestoreCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreCommand.class);

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
    Which which;

    static final class Which {
        @Option(names = "--version", paramLabel = "VERSION", description = "a snapshot version (default: the latest)")
        String version;

        @Option(names = "--at", paramLabel = "INSTANT",
                description = "the latest snapshot at or before this ISO-8601 instant, e.g. 2026-11-20T18:00:00Z")
        String at;

        /** The snapshot {@code which} names (the latest when null); a malformed value is a usage error. */
        static SnapshotSelector selector(Which which, CommandLine cli) {
            if (which == null) {
                return SnapshotSelector.latest();
            }
            if (which.version != null) {
                try {
                    return SnapshotSelector.version(which.version);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cli, "--version: " + e.getMessage());
                }
            }
            try {
                return SnapshotSelector.latestAt(Instant.parse(which.at));
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(cli, "--at must be an ISO-8601 instant such as"
                        + " 2026-11-20T18:00:00Z, got '" + which.at + "'");
            }
        }
    }

    @Option(names = "--output", paramLabel = "PATH",
            description = "restore into this file instead of the database's configured path")
    Path output;

    @Option(names = "--if-db-not-exists", description = "exit 0 without restoring when the target file exists or the"
            + " server holds no snapshot of the database yet")
    boolean ifDbNotExists;

    @Option(names = "--force", description = "replace an existing target without keeping a pre-restore copy")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Agent agent = parent.agent();
        Optional<Path> configured = agent.databases().pathFor(database);
        Path target = Optional.ofNullable(output).map(Path::toAbsolutePath).or(() -> configured)
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "database '" + database
                        + "' has no path in BACKUP_DATABASES: give one with --output"));
        SnapshotSelector selector = Which.selector(which, spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        if (ifDbNotExists && Files.exists(target)) {
            LOG.info("event=restore.skipped database={} target={} reason=\"the target exists\"", database, target);
            if (json.json) {
                JsonOption.print(out, JsonDocs.notRestored(database, target.toString(), "target_exists"));
            } else {
                out.printf("not restored: %s exists (--if-db-not-exists)%n", target);
                out.flush();
            }
            return ExitCodes.OK;
        }
        agent.removeStaleTempFiles();
        RestoreResult r;
        try {
            // a boot script's restore of a missing database falls back like `run`; a pinned version never does
            r = ifDbNotExists && which == null ? agent.restorer().restoreNewestVerifying(database, target)
                    : agent.restorer().restore(database, selector, target, force);
        } catch (NothingToRestoreException e) {
            if (!ifDbNotExists || which != null) {
                throw e; // a version or instant that matches nothing is an error even then
            }
            LOG.info("event=restore.skipped database={} target={} reason=\"no backup on the server yet\"", database,
                    target);
            if (json.json) {
                JsonOption.print(out, JsonDocs.notRestored(database, target.toString(), "no_backup_yet"));
            } else {
                out.printf("not restored: the server holds no backup of %s yet; %s stays missing"
                        + " (--if-db-not-exists)%n", database, target);
                out.flush();
            }
            return ExitCodes.OK;
        }
        if (configured.isPresent() && configured.get().toAbsolutePath().equals(target.toAbsolutePath())) {
            agent.state().forget(new Database(database, target)); // the next snapshot is sent; the server compares
        }
        if (json.json) {
            JsonOption.print(out, JsonDocs.restore(r));
            return ExitCodes.OK;
        }
        out.printf("restored %s version %s (%,d bytes) into %s%s%n", database, r.version(), r.sizeBytes(), target,
                r.preRestoreCopy().map(p -> "; previous content kept in " + p).orElse(""));
        out.flush();
        return ExitCodes.OK;
    }
}
