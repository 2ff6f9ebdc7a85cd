package dev.cellar.server.housekeeping;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.storage.BlobStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the objects that no catalog entry explains: snapshot data without its index marker, a marker without its
 * data, and keys of no known kind. It reports them (a log line each, and counts) and deletes one kind only:
 * snapshot data without a marker whose version is older than {@link SnapshotCatalog#UNCOMMITTED_GRACE}. The marker
 * is the commit point, so such data is an upload that died between storing its data and committing it (or a
 * deletion that died between its two steps): no listing ever showed it and none will. Everything else may still be
 * somebody's only copy and is never deleted.
 *
 * <p>One pass over the bucket, a page at a time. A database's markers ({@code index/}) sort before its data
 * ({@code snapshots/}), so only the versions of the database being read are held in memory.
 */
final class OrphanScan {
    private static final Logger log = LoggerFactory.getLogger(OrphanScan.class);
    private static final int MAX_LOGGED = 1000;
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
    private static final Pattern DATABASE_OBJECT =
            Pattern.compile("(tenants/" + NAME + "/databases/" + NAME + "/)(index|snapshots)/([^/]+)");
    /** Every other kind of object the server writes; add a pattern here with every new kind. */
    private static final List<Pattern> KNOWN = List.of(
            Pattern.compile("tenants/" + NAME + "/tenant\\.json"),
            Pattern.compile("tenants/" + NAME + "/machines/" + NAME + "\\.json"),
            Pattern.compile("tenants/" + NAME + "/restores/r[0-9T]+Z-[0-9a-f]+/[a-z0-9-]+\\.json"),
            Pattern.compile("tenants/" + NAME + "/retention\\.json"),
            Pattern.compile("tenants/" + NAME + "/databases/" + NAME + "/confirmed\\.json"),
            Pattern.compile("tenants/" + NAME + "/databases/" + NAME + "/drills/\\d{13}_[^/]+"),
            Pattern.compile("tenants/" + NAME + "/databases/" + NAME + "/transitions/\\d{10}\\.json"),
            Pattern.compile("jobs/" + NAME + "/runs/\\d{13}_[0-9a-f]{8}\\.json"),
            Pattern.compile("admin/signed-out/[A-Za-z0-9_-]{24}"));
    private static final String DATA_SUFFIX = ".sqlite.zst";

    /** What one scan found. */
    record Result(long scanned, long dataWithoutMarker, long markerWithoutData, long unknown,
                  long uncommittedDataRemoved) {
        long unexplained() {
            return dataWithoutMarker + markerWithoutData + unknown;
        }
    }

    private final BlobStore store;
    private final Instant uncommittedBefore;
    private long uncommittedDataRemoved;
    private long scanned;
    private long dataWithoutMarker;
    private long markerWithoutData;
    private long unknown;
    private String database;
    private final Set<String> markers = new HashSet<>();

    private OrphanScan(BlobStore store, Instant uncommittedBefore) {
        this.store = store;
        this.uncommittedBefore = uncommittedBefore;
    }

    /** @param now the current time: data without a marker is removed once its version is older than the grace */
    static Result run(BlobStore store, Instant now) {
        OrphanScan scan = new OrphanScan(store, now.minus(SnapshotCatalog.UNCOMMITTED_GRACE));
        scan.scan();
        return new Result(scan.scanned, scan.dataWithoutMarker, scan.markerWithoutData, scan.unknown,
                scan.uncommittedDataRemoved);
    }

    private void scan() {
        String after = null;
        BlobPage page;
        do {
            page = store.list("", after, 1000);
            for (BlobPage.Entry e : page.entries()) {
                after = e.key();
                if (!e.key().startsWith("staging/")) { // uploads in progress: discarded by age, not listed here
                    scanned++;
                    classify(e.key());
                }
            }
        } while (page.truncated() && after != null);
        enterDatabase(null);
    }

    private void classify(String key) {
        Matcher m = DATABASE_OBJECT.matcher(key);
        if (!m.matches()) {
            enterDatabase(null);
            if (KNOWN.stream().noneMatch(p -> p.matcher(key).matches())) {
                report("unknown_key", key);
            }
            return;
        }
        enterDatabase(m.group(1));
        String name = m.group(3);
        if (m.group(2).equals("index")) {
            String[] fields = name.split("_", 6);
            if (fields.length == 6 && SnapshotVersion.parse(fields[1]).isPresent()) {
                markers.add(fields[1]);
            } else {
                report("unknown_key", key);
            }
        } else if (name.endsWith(DATA_SUFFIX)
                && SnapshotVersion.parse(name.substring(0, name.length() - DATA_SUFFIX.length())).isPresent()) {
            String version = name.substring(0, name.length() - DATA_SUFFIX.length());
            if (!markers.remove(version)) {
                report("data_without_marker", key);
                removeIfUncommitted(key, SnapshotVersion.parse(version).orElseThrow());
            }
        } else {
            report("unknown_key", key);
        }
    }

    /** Younger data may be an upload between storing its data and writing its marker: it is left alone. */
    private void removeIfUncommitted(String key, SnapshotVersion version) {
        if (version.createdAt().isBefore(uncommittedBefore)) {
            store.delete(key);
            uncommittedDataRemoved++;
            log.info("event=housekeeping.uncommitted_data_removed key={}", key);
        }
    }

    /** Leaving a database: its markers whose data never came are orphans. */
    private void enterDatabase(String folder) {
        if (database != null && !database.equals(folder)) {
            for (String version : markers) {
                report("marker_without_data", database + "index/*_" + version + "_*");
            }
            markers.clear();
        }
        database = folder;
    }

    private void report(String kind, String key) {
        switch (kind) {
            case "data_without_marker" -> dataWithoutMarker++;
            case "marker_without_data" -> markerWithoutData++;
            default -> unknown++;
        }
        long count = dataWithoutMarker + markerWithoutData + unknown;
        if (count <= MAX_LOGGED) {
            log.warn("event=housekeeping.unexplained_object kind={} key={}", kind, key);
        }
    }
}
