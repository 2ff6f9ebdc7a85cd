package dev.cellar.server.snapshot;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.Zstd;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.metrics.Metrics;
import dev.cellar.server.storage.BlobStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET} and {@code HEAD} of one snapshot: the stored zstd form (with {@code Range}) by default, the plain
 * database with {@code Accept: application/vnd.sqlite3}. Bodies stream from storage; nothing is buffered whole.
 */
public final class SnapshotDownloads {
    private static final Logger log = LoggerFactory.getLogger(SnapshotDownloads.class);
    static final String SQLITE = "application/vnd.sqlite3";
    private final Access access;
    private final SnapshotCatalog catalog;
    private final BlobStore store;
    /** Each plain download holds a zstd decoder whose window may be 32 MiB: a few at a time keep memory bounded. */
    private final Semaphore plainSlots;
    private final Metrics metrics;

    public SnapshotDownloads(Access access, SnapshotCatalog catalog, BlobStore store, int maxPlainDownloads,
                             Metrics metrics) {
        this.access = access;
        this.metrics = metrics;
        this.catalog = catalog;
        this.store = store;
        this.plainSlots = new Semaphore(maxPlainDownloads);
    }

    static String path(Snapshot s) {
        return "/api/v1/tenants/" + s.tenant() + "/databases/" + s.database() + "/snapshots/" + s.version();
    }

    public void get(Context ctx) throws IOException {
        serve(ctx, false);
    }

    public void head(Context ctx) throws IOException {
        serve(ctx, true);
    }

    /**
     * Streams one snapshot to a caller already checked as the admin (the admin page): the plain database when
     * {@code sqlite}, otherwise the stored zstd form.
     */
    public void download(Context ctx, String tenant, String database, String version, boolean sqlite)
            throws IOException {
        send(ctx, resolve(tenant, database, version, null), sqlite, false);
    }

    private void serve(Context ctx, boolean headersOnly) throws IOException {
        String tenant = access.requireTenant(ctx);
        String database = Access.name(ctx, "database");
        Snapshot s = resolve(tenant, database, ctx.pathParam("version"), ctx.queryParam("at"));
        send(ctx, s, wantsSqlite(ctx.header("Accept")), headersOnly);
    }

    private void send(Context ctx, Snapshot s, boolean sqlite, boolean headersOnly) throws IOException {
        String tenant = s.tenant();
        String database = s.database();
        String key = SnapshotCatalog.dataKey(tenant, database, s.version());
        long started = System.nanoTime();
        ctx.header("ETag", "\"" + s.version() + "\"");
        ctx.header("X-Snapshot-Version", s.version());
        ctx.header("X-Snapshot-Sha256", s.sha256());
        ctx.header("Vary", "Accept");
        if (sqlite) {
            binary(ctx, SQLITE);
            ctx.header("Content-Disposition", "attachment; filename=\"" + database + "-" + s.version() + ".sqlite3\"");
            ctx.res().setContentLengthLong(s.sizeBytes());
            if (!headersOnly) {
                if (!plainSlots.tryAcquire()) {
                    throw ApiError.unavailable("busy", "the server is sending as many plain SQLite downloads as it"
                            + " allows (BACKUP_MAX_PLAIN_DOWNLOADS); retry later, or download the stored zstd form",
                            5);
                }
                try (InputStream stored = open(key, 0, -1); InputStream image = Zstd.decompress(stored)) {
                    copy(image, ctx);
                } finally {
                    plainSlots.release();
                }
                metrics.downloaded(tenant, true, s.sizeBytes(), System.nanoTime() - started);
            }
            return;
        }
        binary(ctx, "application/zstd");
        ctx.header("Accept-Ranges", "bytes");
        Optional<ByteRange> range = ByteRange.parse(ctx.header("Range"), s.storedBytes());
        long offset = range.map(ByteRange::first).orElse(0L);
        long length = range.map(ByteRange::length).orElse(s.storedBytes());
        if (range.isPresent()) {
            ctx.status(206);
            ctx.header("Content-Range", range.get().contentRange(s.storedBytes()));
        }
        ctx.res().setContentLengthLong(length);
        if (!headersOnly) {
            try (InputStream stored = open(key, offset, length)) {
                copy(stored, ctx);
            }
            metrics.downloaded(tenant, false, length, System.nanoTime() - started);
        }
    }

    private Snapshot resolve(String tenant, String database, String version, String at) {
        if ("latest".equals(version)) {
            Optional<Snapshot> found = at == null ? catalog.latest(tenant, database)
                    : catalog.latestAt(tenant, database, instant(at));
            return found.orElseThrow(() -> ApiError.notFound("no snapshot of " + tenant + "/" + database
                    + (at == null ? "" : " at or before " + at)));
        }
        if (at != null) {
            throw ApiError.badRequest("bad_request", "at= only goes with 'latest'");
        }
        SnapshotVersion v = version(version);
        return catalog.find(tenant, database, v)
                .orElseThrow(() -> ApiError.notFound("no snapshot " + v + " of " + tenant + "/" + database));
    }

    private InputStream open(String key, long offset, long length) {
        return store.open(key, offset, length).orElseThrow(() -> {
            log.error("event=snapshot.data_missing key={}", key);
            return ApiError.notFound("the snapshot is listed but its data is missing from storage");
        });
    }

    /** Sets a binary content type: no charset (the container adds one when an encoding was set earlier). */
    private static void binary(Context ctx, String type) {
        ctx.res().setCharacterEncoding(null);
        ctx.res().setContentType(type);
    }

    private static void copy(InputStream in, Context ctx) throws IOException {
        OutputStream out = ctx.res().getOutputStream();
        in.transferTo(out);
        out.flush();
    }

    /** Parses a version from a path, cursor or body, or answers 400. */
    public static SnapshotVersion version(String text) {
        return SnapshotVersion.parse(text).orElseThrow(() -> ApiError.badRequest("invalid_version",
                "'" + text + "' is not a snapshot version (like 20261121T093000123Z-1a2b3c4d) or 'latest'"));
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("invalid_timestamp",
                    "at= must be an ISO-8601 instant such as 2026-11-21T09:30:00Z, got '" + text + "'");
        }
    }

    private static boolean wantsSqlite(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.toLowerCase(Locale.ROOT).split(",")) {
            String[] parts = range.trim().split(";");
            if ((parts[0].trim().equals(SQLITE) || parts[0].trim().equals("application/x-sqlite3"))
                    && !range.replace(" ", "").matches(".*;q=0(\\.0*)?(;.*)?$")) {
                return true;
            }
        }
        return false;
    }
}
