package dev.cellar.agent.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's temporary files: hidden, named after the process that owns them
 * ({@code .cellar-<pid>-<process start>-<random>-<label>.tmp}), so that a crash's leftovers can be told from the
 * files of an agent that is still running (the operator's CLI beside the daemon, say).
 */
public final class TempFiles {
    private static final Logger LOG = LoggerFactory.getLogger(TempFiles.class);
    private static final Pattern NAME = Pattern.compile("^\\.cellar-(\\d+)-(\\d+)-.*\\.tmp$");
    private static final ProcessHandle SELF = ProcessHandle.current();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TempFiles() {
    }

    /** A new empty temporary file in {@code folder}; {@code label} says what it holds. */
    public static Path create(Path folder, String label) throws IOException {
        Files.createDirectories(folder);
        return Files.createTempFile(folder, ".cellar-" + SELF.pid() + "-" + startMillis(SELF) + "-", "-" + label + ".tmp");
    }

    /**
     * A new empty temporary file in {@code folder} with the mode any new file there gets (0666 less the process
     * umask, which Java cannot read otherwise), unlike {@link #create}, whose files are private (0600).
     */
    public static Path createWithDefaultMode(Path folder, String label) throws IOException {
        Files.createDirectories(folder);
        String random = Long.toUnsignedString(RANDOM.nextLong(), 36);
        return Files.createFile(folder.resolve(".cellar-" + SELF.pid() + "-" + startMillis(SELF) + "-" + random + "-"
                + label + ".tmp"));
    }

    /** Deletes a temporary file if it is there; never throws, it is called on failure paths. */
    public static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("event=tempfile.delete_failed path={} error={}", file, e.toString());
        }
    }

    /** Removes temporary files left in {@code folder} by agent processes that no longer run. */
    public static int removeStale(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".cellar-*.tmp")) {
            for (Path entry : entries) {
                Matcher m = NAME.matcher(entry.getFileName().toString());
                if (m.matches() && !ownerRuns(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                    try {
                        Files.delete(entry);
                        removed++;
                        LOG.info("event=tempfile.removed_stale path={}", entry);
                    } catch (NoSuchFileException e) {
                        // gone already
                    }
                }
            }
        }
        return removed;
    }

    private static boolean ownerRuns(long pid, long start) {
        Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        // pids are reused after a restart: the start time tells this process from the one that made the file
        return owner.isPresent() && owner.get().isAlive() && startMillis(owner.get()) == start;
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
