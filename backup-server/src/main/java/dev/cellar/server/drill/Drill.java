package dev.cellar.server.drill;

import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import dev.cellar.core.Hex;
import dev.cellar.core.SqliteChecks;
import dev.cellar.core.Zstd;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.Verifications;
import dev.cellar.server.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * One restore drill: restores a stored snapshot the way an agent would (download, decompress, SHA-256, SQLite's
 * {@code integrity_check}) into a private temp directory, and says whether it came back whole. The directory is
 * removed in every outcome; the image written is never larger than the size the catalog recorded, and a drill
 * starts only when the disk has room for it beside the drills already running.
 */
public final class Drill {
    /** Free space left untouched by drills, so a drill never fills the disk the server logs to. */
    static final long RESERVE_BYTES = 64L << 20;
    private final BlobStore store;
    private final Path workDir;
    private long reserved;

    /** Thrown when a drill could not run at all (no room, the store unreachable): no verdict is recorded. */
    public static final class NotRun extends RuntimeException {
        NotRun(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code workDir} is created at the first drill, so a server that never drills never writes there. */
    public Drill(BlobStore store, Path workDir) {
        this.store = store;
        this.workDir = workDir;
    }

    /**
     * Drills {@code s}.
     *
     * @return {@link Verifications#OK} or what was wrong, in words
     * @throws NotRun when the drill could not run; the snapshot is then neither good nor bad
     */
    public String check(Snapshot s) {
        long need = s.sizeBytes() + RESERVE_BYTES;
        reserve(need);
        Path dir = null;
        try {
            dir = Files.createTempDirectory(workDir, "drill-");
            // one line: it goes into a log line and into the verdict's key
            return restore(s, dir.resolve("image.sqlite3")).replaceAll("\\s+", " ");
        } catch (IOException e) {
            throw new NotRun("reading the snapshot or writing its image failed: " + e.getMessage(), e);
        } finally {
            release(need);
            removeQuietly(dir);
        }
    }

    private String restore(Snapshot s, Path image) throws IOException {
        String key = SnapshotCatalog.dataKey(s.tenant(), s.database(), s.version());
        Optional<InputStream> stored = store.open(key, 0, -1);
        if (stored.isEmpty()) {
            return "the snapshot's data is missing from storage";
        }
        MessageDigest sha = Hex.sha256();
        long written = 0;
        try (InputStream in = stored.get(); InputStream plain = Zstd.decompress(in);
             OutputStream out = Files.newOutputStream(image)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = plain.read(buffer)) != -1) {
                written += n;
                if (written > s.sizeBytes()) {
                    return "the image is longer than the " + s.sizeBytes() + " bytes recorded";
                }
                sha.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        } catch (ZstdIOException | ZstdException e) {
            return "the stored snapshot does not decompress: " + e.getMessage();
        }
        // any other IOException is the store or the disk failing mid-read, not the snapshot: thrown, no verdict
        if (written != s.sizeBytes()) {
            return "the image has " + written + " bytes, " + s.sizeBytes() + " were recorded";
        }
        String actual = Hex.of(sha.digest());
        if (!actual.equals(s.sha256())) {
            return "SHA-256 mismatch: the image hashes to " + actual.substring(0, 16) + "..., "
                    + s.sha256().substring(0, 16) + "... was recorded";
        }
        try {
            List<String> found = SqliteChecks.integrityCheck(image);
            if (!found.isEmpty()) {
                // the first finding names the damage; SQLite's "*** in database main ***" heading does not
                List<String> lines = found.stream().flatMap(String::lines)
                        .filter(line -> !line.isBlank() && !line.startsWith("*** in database")).toList();
                return lines.isEmpty() ? "integrity_check: " + String.join(" ", found)
                        : "integrity_check: " + lines.get(0)
                        + (lines.size() > 1 ? " (and " + (lines.size() - 1) + " more)" : "");
            }
        } catch (SQLException e) {
            return "SQLite cannot open the image: " + e.getMessage();
        }
        return Verifications.OK;
    }

    private synchronized void reserve(long bytes) {
        long usable;
        try {
            Files.createDirectories(workDir);
            usable = Files.getFileStore(workDir).getUsableSpace();
        } catch (IOException e) {
            throw new NotRun("cannot use the drill directory " + workDir + ": " + e.getMessage(), e);
        }
        if (usable - reserved < bytes) {
            throw new NotRun("not enough free disk in " + workDir + ": the drill needs " + bytes + " bytes, "
                    + Math.max(0, usable - reserved) + " are free for it", null);
        }
        reserved += bytes;
    }

    private synchronized void release(long bytes) {
        reserved -= bytes;
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(Drill.class).warn("event=drill.cleanup_failed dir={} cause=\"{}\"", dir, e.getMessage());
        }
    }
}
