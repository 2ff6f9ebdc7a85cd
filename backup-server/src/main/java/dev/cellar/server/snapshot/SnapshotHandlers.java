package dev.cellar.server.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.ContentLength;
import dev.cellar.server.metrics.Metrics;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Upload, list and delete of snapshots. Downloads live in {@link SnapshotDownloads}. */
public final class SnapshotHandlers {
    private static final Logger log = LoggerFactory.getLogger(SnapshotHandlers.class);
    /** The upload header declaring the image's digest up front; downloads answer with the same header. */
    static final String IMAGE_SHA256 = "X-Snapshot-Sha256";
    private final Access access;
    private final SnapshotCatalog catalog;
    private final SnapshotPins pins;
    private final SnapshotIngest ingest;
    private final ObjectMapper json;
    private final UploadSlots uploadSlots;
    private final Metrics metrics;

    public SnapshotHandlers(Access access, SnapshotCatalog catalog, SnapshotIngest ingest, ObjectMapper json,
                            int maxConcurrentUploads, UploadLimits limits, SnapshotPins pins, Metrics metrics) {
        this.access = access;
        this.metrics = metrics;
        this.pins = pins;
        this.catalog = catalog;
        this.ingest = ingest;
        this.json = json;
        this.uploadSlots = new UploadSlots(maxConcurrentUploads, limits.perTenant(), limits.queueLength(),
                limits.queueWait(), System::nanoTime);
    }

    public void upload(Context ctx) throws IOException {
        String tenant = access.requireTenant(ctx);
        String database = Access.name(ctx, "database");
        String machine = ctx.header("X-Machine-Id");
        if (machine != null) {
            Access.name("X-Machine-Id", machine);
        }
        BodyFormat format = BodyFormat.of(ctx.header("Content-Type"));
        Optional<ContentDigest> digest = digest(ctx.header("Content-Digest"));
        Optional<String> imageSha256 = imageSha256(ctx.header(IMAGE_SHA256));
        long declared = ContentLength.of(ctx);
        if (declared > ingest.maxBytes()) {
            throw ApiError.tooLarge("the body is " + declared + " bytes; the maximum is " + ingest.maxBytes()
                    + " bytes (BACKUP_MAX_SNAPSHOT_BYTES)");
        }
        long started = System.nanoTime();
        SnapshotIngest.Result result;
        try (UploadSlots.Slot slot = uploadSlots.acquire(tenant); InputStream body = ctx.req().getInputStream()) {
            result = ingest.ingest(new SnapshotIngest.Upload(tenant, database, format, digest, machine, imageSha256),
                    body);
        }
        Snapshot s = result.snapshot();
        log.info("event=snapshot.{} tenant={} database={} version={} sizeBytes={} storedBytes={} machine={} direct={}"
                        + " ms={}", result.created() ? "stored" : "unchanged", tenant, database, s.version(),
                s.sizeBytes(), s.storedBytes(), machine, imageSha256.isPresent(),
                (System.nanoTime() - started) / 1_000_000);
        metrics.uploaded(tenant, result.created(), s.storedBytes(), System.nanoTime() - started);
        Map<String, Object> body = json.convertValue(s, json.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, Object.class));
        body.put("unchanged", !result.created());
        if (result.created()) {
            ctx.header("Location", SnapshotDownloads.path(s));
            ctx.status(201);
        }
        ctx.json(body);
    }

    public void list(Context ctx) {
        String tenant = access.requireTenant(ctx);
        String database = Access.name(ctx, "database");
        int limit = limit(ctx.queryParam("limit"));
        String before = ctx.queryParam("before");
        SnapshotVersion cursor = before == null ? null : SnapshotDownloads.version(before);
        SnapshotCatalog.Page page = catalog.list(tenant, database, limit, cursor);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("snapshots", page.snapshots());
        body.put("next", page.next());
        ctx.json(body);
    }

    public void delete(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        String database = Access.name(ctx, "database");
        SnapshotVersion version = SnapshotDownloads.version(ctx.pathParam("version"));
        pins.pinned(tenant, database, version.toString()).ifPresent(why -> {
            throw ApiError.conflict("pinned", why);
        });
        if (!catalog.delete(tenant, database, version)) {
            throw ApiError.notFound("no snapshot " + version + " of " + tenant + "/" + database);
        }
        log.info("event=snapshot.deleted tenant={} database={} version={}", tenant, database, version);
        ctx.status(204);
    }

    private static Optional<ContentDigest> digest(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            return ContentDigest.parse(header);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid_digest", e.getMessage());
        }
    }

    /** The image's SHA-256 declared before the body: 64 hex digits, either case. */
    private static Optional<String> imageSha256(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String sha = header.trim().toLowerCase(Locale.ROOT);
        if (!sha.matches("[0-9a-f]{64}")) {
            throw ApiError.badRequest("invalid_digest", IMAGE_SHA256
                    + " must be the image's SHA-256 as 64 hex digits, got '" + cut(header) + "'");
        }
        return Optional.of(sha);
    }

    private static String cut(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static int limit(String value) {
        if (value == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiError.badRequest("invalid_limit", "limit must be a whole number from 1 to 1000, got '" + value + "'");
    }
}
