package dev.cellar.agent.requests;

import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.files.AtomicFiles;
import dev.cellar.agent.log.Kv;
import dev.cellar.agent.snapshot.UploadState;
import dev.cellar.core.Names;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcomes of restore requests that the server has not taken yet, on disk beside the upload state
 * ({@code <state dir>/<database>.restore-<id>.result}), so that a restart still reports them instead of applying
 * the request again. A boot restore records its "completed" before the file is renamed into place, naming that
 * file: if the agent dies before the rename, the next start finds the file missing and drops the record, and the
 * request (still running under this machine's claim) is applied again.
 */
final class ResultJournal {
    private static final Logger LOG = LoggerFactory.getLogger(ResultJournal.class);
    private static final String SUFFIX = ".result";

    /**
     * @param installed for a boot restore, the database file whose presence proves that the restore completed
     */
    record Entry(String id, String database, String state, String message, Optional<Path> installed) {
    }

    private final DatabaseResolver databases;
    private final UploadState state;

    ResultJournal(DatabaseResolver databases, UploadState state) {
        this.databases = databases;
        this.state = state;
    }

    void save(Entry e) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", e.id());
        p.setProperty("database", e.database());
        p.setProperty("state", e.state());
        p.setProperty("message", e.message());
        e.installed().ifPresent(path -> p.setProperty("installed", path.toString()));
        StringWriter text = new StringWriter();
        p.store(text, "cellar-agent: outcome of restore request " + e.id() + ", not yet reported");
        Path file = fileFor(e);
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    void remove(Entry e) {
        try {
            Files.deleteIfExists(fileFor(e));
        } catch (IOException ex) {
            LOG.warn("event=restore_request.result_file_undeletable id={} error={}", e.id(), Kv.quote(ex.toString()));
        }
    }

    /** Every outcome still owed to the server; records of installs that never happened are dropped here. */
    List<Entry> load() {
        Map<String, Entry> found = new LinkedHashMap<>();
        for (Path folder : folders()) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.restore-*" + SUFFIX)) {
                for (Path file : files) {
                    read(file).ifPresent(e -> found.putIfAbsent(e.id(), e));
                }
            } catch (IOException e) {
                LOG.warn("event=restore_request.result_scan_failed path={} error={}", folder, Kv.quote(e.toString()));
            }
        }
        List<Entry> owed = new ArrayList<>();
        for (Entry e : found.values()) {
            if (e.installed().isPresent() && !Files.exists(e.installed().get())) {
                LOG.warn("event=restore_request.result_dropped id={} database={} reason=\"the agent stopped before"
                        + " the restored file was in place: the request is applied again\"", e.id(), e.database());
                remove(e);
            } else {
                owed.add(e);
            }
        }
        return owed;
    }

    private Optional<Entry> read(Path file) {
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            Entry e = new Entry(p.getProperty("id"), p.getProperty("database"), p.getProperty("state"),
                    p.getProperty("message", ""), Optional.ofNullable(p.getProperty("installed")).map(Path::of));
            if (!Names.isValid(e.id()) || !Names.isValid(e.database()) || e.state() == null) {
                throw new IOException("incomplete record");
            }
            return Optional.of(e);
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=restore_request.result_unreadable path={} error={}", file, Kv.quote(e.toString()));
            return Optional.empty();
        }
    }

    private Path fileFor(Entry e) {
        Path target = databases.pathFor(e.database()).orElse(Path.of(e.database()));
        return state.fileFor(new Database(e.database(), target))
                .resolveSibling(e.database() + ".restore-" + e.id() + SUFFIX);
    }

    /** The state folders of every database this machine knows of. */
    private Set<Path> folders() {
        Set<Path> folders = new LinkedHashSet<>();
        for (String name : databases.namedDatabases()) {
            databases.pathFor(name).ifPresent(p -> folders.add(state.fileFor(new Database(name, p)).getParent()));
        }
        try {
            for (Database db : databases.present()) {
                folders.add(state.fileFor(db).getParent());
            }
        } catch (IOException e) {
            LOG.warn("event=database.scan_failed error={}", Kv.quote(e.toString()));
        }
        return folders;
    }
}
