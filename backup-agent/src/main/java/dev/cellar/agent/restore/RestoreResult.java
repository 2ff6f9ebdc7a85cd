package dev.cellar.agent.restore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A completed restore.
 *
 * @param storedBytes    size of the compressed snapshot downloaded
 * @param preRestoreCopy where the target's previous content was kept, when there was any and no {@code --force}
 * @param resumes        how many times the download was resumed after a dropped connection
 */
public record RestoreResult(String database, String version, String sha256, long sizeBytes, long storedBytes,
                            Path target,
                            Install install, Optional<Path> preRestoreCopy, int resumes, Duration took) {
    public enum Install {
        /** the target was missing: the restored file was renamed into place */
        NEW_FILE,
        /** the target existed: its content was replaced in place (the app's connections stay valid) */
        REPLACED_CONTENT
    }
}
