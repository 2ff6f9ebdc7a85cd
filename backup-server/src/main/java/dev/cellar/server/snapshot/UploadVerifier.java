package dev.cellar.server.snapshot;

import dev.cellar.core.SqliteChecks;
import dev.cellar.server.http.ApiError;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BACKUP_VERIFY_ON_UPLOAD=quick}: the image is also written to a spool file, and {@code PRAGMA quick_check}
 * must pass on it before the snapshot is committed, so a database whose b-trees are damaged is refused at upload
 * instead of being stored as if healthy. All spool files together stay under a byte budget
 * ({@code BACKUP_VERIFY_SPOOL_BYTES}); an upload that would pass it is refused as busy, to be retried.
 */
public final class UploadVerifier {
    private static final Logger log = LoggerFactory.getLogger(UploadVerifier.class);
    private final Path dir;
    private final long budget;
    private final AtomicLong inUse = new AtomicLong();

    /** @param dir a directory of this server's own; emptied here, since a spool file outlives no upload */
    public UploadVerifier(Path dir, long budget) {
        this.dir = dir;
        this.budget = budget;
        try {
            Files.createDirectories(dir);
            try (var leftovers = Files.list(dir)) {
                for (Path p : leftovers.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the verify spool directory " + dir, e);
        }
    }

    /** The spool budget ran out: too much is being verified at once. */
    static final class SpoolFullException extends IOException {
        SpoolFullException(long budget) {
            super("the upload verification spool is full (BACKUP_VERIFY_SPOOL_BYTES = " + budget + " bytes)");
        }
    }

    /** One upload's spooled image; closing it removes the file and gives its bytes back to the budget. */
    final class Spool implements AutoCloseable {
        private final Path file = dir.resolve(UUID.randomUUID() + ".sqlite3");
        private final OutputStream out;
        private long counted;

        Spool() throws IOException {
            this.out = Files.newOutputStream(file);
        }

        /** Where the image is written as it arrives. */
        OutputStream output() {
            return new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (inUse.addAndGet(len) > budget) {
                        inUse.addAndGet(-len);
                        throw new SpoolFullException(budget);
                    }
                    counted += len;
                    out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void close() {
                    // the spool closes the file itself
                }
            };
        }

        /** @throws ApiError 422 corrupt_database naming SQLite's first finding */
        void check(String what) {
            try {
                out.close();
                List<String> found = SqliteChecks.quickCheck(file);
                if (!found.isEmpty()) {
                    String first = found.stream().flatMap(String::lines)
                            .filter(l -> !l.isBlank() && !l.startsWith("*** in database")).findFirst()
                            .orElse(found.get(0));
                    log.warn("event=snapshot.refused_corrupt {} findings={}", what, found.size());
                    throw ApiError.unprocessable("corrupt_database", "PRAGMA quick_check found damage in the"
                            + " database (BACKUP_VERIFY_ON_UPLOAD=quick): " + cut(first)
                            + (found.size() > 1 ? " (and " + (found.size() - 1) + " more)" : ""));
                }
            } catch (SQLException e) {
                throw ApiError.unprocessable("corrupt_database", "SQLite cannot open the database: "
                        + cut(e.getMessage()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the verify spool " + file, e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("event=verify.spool_cleanup_failed file={} error=\"{}\"", file, e.getMessage());
            }
            inUse.addAndGet(-counted);
        }
    }

    Spool open() {
        try {
            return new Spool();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in the verify spool " + dir, e);
        }
    }

    private static String cut(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
