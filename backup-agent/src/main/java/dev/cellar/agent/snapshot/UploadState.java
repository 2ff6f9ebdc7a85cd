package dev.cellar.agent.snapshot;

import dev.cellar.agent.config.Database;
import dev.cellar.agent.files.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent last stored on the server for each database, kept on disk so that it survives restarts:
 * {@code <state dir>/<database>.state}, a small properties file. The state dir is {@code BACKUP_STATE_DIR}, by
 * default {@code .cellar/} beside the database (on its volume, so a new empty volume starts afresh).
 */
public final class UploadState {
    private static final Logger LOG = LoggerFactory.getLogger(UploadState.class);

    /**
     * @param sha256      hex SHA-256 of the image the server holds as this database's latest from us
     * @param sizeBytes   its size
     * @param storedBytes its compressed size, as the server stored it
     */
    public record Entry(String sha256, String version, long sizeBytes, long storedBytes, Instant at) {
    }

    private final Optional<Path> stateDir;

    public UploadState(Optional<Path> stateDir) {
        this.stateDir = stateDir;
    }

    public Path fileFor(Database db) {
        Path dir = stateDir.orElseGet(() -> db.path().toAbsolutePath().getParent().resolve(".cellar"));
        return dir.resolve(db.name() + ".state");
    }

    /** The last entry, or empty when there is none or it cannot be read (then the next snapshot is uploaded). */
    public Optional<Entry> read(Database db) {
        Path file = fileFor(db);
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            return Optional.of(new Entry(p.getProperty("sha256"), p.getProperty("version"),
                    Long.parseLong(p.getProperty("sizeBytes")), Long.parseLong(p.getProperty("storedBytes")),
                    Instant.parse(p.getProperty("at"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=state.unreadable database={} path={} error={}", db.name(), file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Forgets what was last uploaded, after the database's content was replaced by a restore: the next snapshot is
     * then sent, and the server, which compares it with its own latest, stores it or answers "unchanged".
     */
    public void forget(Database db) throws IOException {
        if (Files.deleteIfExists(fileFor(db))) {
            LOG.info("event=state.forgotten database={} reason=\"the database was restored\"", db.name());
        }
    }

    public void write(Database db, Entry entry) throws IOException {
        Properties p = new Properties();
        p.setProperty("sha256", entry.sha256());
        p.setProperty("version", entry.version());
        p.setProperty("sizeBytes", Long.toString(entry.sizeBytes()));
        p.setProperty("storedBytes", Long.toString(entry.storedBytes()));
        p.setProperty("at", entry.at().toString());
        StringWriter text = new StringWriter();
        p.store(text, "cellar-agent: last snapshot stored on the server for database " + db.name());
        Path file = fileFor(db);
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
