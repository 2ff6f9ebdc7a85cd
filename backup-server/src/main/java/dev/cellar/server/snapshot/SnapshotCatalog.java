package dev.cellar.server.snapshot;

import dev.cellar.core.Names;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which snapshots exist, read straight from the store so any instance over the same bucket sees the same list.
 *
 * <p>A snapshot is two objects: its data at {@code tenants/{t}/databases/{d}/snapshots/{version}.sqlite.zst} and an
 * empty index marker whose key carries all of its metadata:
 * {@code .../index/{13-digit inverted millis}_{version}_{sizeBytes}_{storedBytes}_{sha256}_{machineId or -}}.
 * The marker is written after the data, so a snapshot becomes visible at once and whole. Inverted time makes the
 * store's ascending listing newest-first: the latest snapshot is one LIST of one key, and a page of the history is
 * one LIST, whatever the number of versions.
 */
public final class SnapshotCatalog {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCatalog.class);
    static final long INVERT_FROM = 9_999_999_999_999L;
    /**
     * How old a version's data may be without its index marker before housekeeping removes it as an upload that
     * never committed. An upload commits only versions younger than half of this ({@link #COMMIT_WITHIN}), so the
     * moment between its data and its marker never falls in the range housekeeping removes.
     */
    public static final Duration UNCOMMITTED_GRACE = Duration.ofHours(24);
    static final Duration COMMIT_WITHIN = UNCOMMITTED_GRACE.dividedBy(2);
    private static final String NO_MACHINE = "-";
    private final BlobStore store;
    private final Verifications verifications;

    public SnapshotCatalog(BlobStore store) {
        this.store = store;
        this.verifications = new Verifications(store);
    }

    /** The restore-drill verdicts kept beside this catalog's snapshots. */
    public Verifications verifications() {
        return verifications;
    }

    /** A page of the history, newest first; {@code next} is the cursor for the following page, or null. */
    public record Page(List<Snapshot> snapshots, String next) {
    }

    public static String dataKey(String tenant, String database, String version) {
        return databaseFolder(tenant, database) + "snapshots/" + version + ".sqlite.zst";
    }

    static String databaseFolder(String tenant, String database) {
        return TenantRegistry.folder(tenant) + "databases/" + database + "/";
    }

    private static String indexFolder(String tenant, String database) {
        return databaseFolder(tenant, database) + "index/";
    }

    /** The databases a tenant has snapshots (or had them) for. */
    public List<String> databases(String tenant) {
        String folder = TenantRegistry.folder(tenant) + "databases/";
        return store.folders(folder).stream().map(f -> f.substring(folder.length(), f.length() - 1)).toList();
    }

    public Page list(String tenant, String database, int limit, SnapshotVersion before) {
        String folder = indexFolder(tenant, database);
        String startAfter = before == null ? null : folder + inverted(before.createdAt()) + "_" + before + "_~";
        BlobPage page = store.list(folder, startAfter, limit);
        List<Snapshot> snapshots = verifications.annotate(tenant, database, parse(tenant, database, page));
        String next = page.truncated() && !snapshots.isEmpty() ? snapshots.get(snapshots.size() - 1).version() : null;
        return new Page(snapshots, next);
    }

    /** Every snapshot taken at or after {@code from}, newest first. */
    public List<Snapshot> since(String tenant, String database, Instant from) {
        List<Snapshot> out = new ArrayList<>();
        SnapshotVersion before = null;
        while (true) {
            Page page = list(tenant, database, 1000, before);
            for (Snapshot s : page.snapshots()) {
                if (s.createdAt().isBefore(from)) {
                    return out;
                }
                out.add(s);
            }
            if (page.next() == null) {
                return out;
            }
            before = SnapshotVersion.parse(page.next()).orElseThrow();
        }
    }

    public Optional<Snapshot> latest(String tenant, String database) {
        return first(tenant, database, null);
    }

    /** The newest snapshot taken at or before {@code at}. */
    public Optional<Snapshot> latestAt(String tenant, String database, Instant at) {
        long millis = at.toEpochMilli();
        if (millis < 0) {
            return Optional.empty();
        }
        if (millis >= INVERT_FROM) {
            return latest(tenant, database);
        }
        // keys of snapshots newer than `at` end before this one ('_' sorts below '~')
        return first(tenant, database, indexFolder(tenant, database) + pad(INVERT_FROM - millis - 1) + "~");
    }

    public Optional<Snapshot> find(String tenant, String database, SnapshotVersion version) {
        String prefix = indexFolder(tenant, database) + inverted(version.createdAt()) + "_" + version;
        return first(tenant, database, prefix).filter(s -> s.version().equals(version.toString()));
    }

    /** Makes a stored snapshot visible. Call after its data object is in place. */
    public void record(Snapshot s) {
        store.put(markerKey(s), new byte[0]);
    }

    /** Deletes a snapshot through {@link #forget}. False when it did not exist. */
    public boolean delete(String tenant, String database, SnapshotVersion version) {
        Optional<Snapshot> found = find(tenant, database, version);
        found.ifPresent(this::forget);
        return found.isPresent();
    }

    /**
     * The one way a snapshot is deleted (by an admin or by retention): first its index marker, so it disappears
     * from every listing at once and no listing shows a version that cannot be downloaded, then its data, then its
     * drill verdicts. Every step deletes by key and deleting a missing key is no error, so two instances deleting
     * the same snapshot, or a run that resumes after a crash between steps, end in the same state.
     */
    public void forget(Snapshot s) {
        store.delete(markerKey(s));
        store.delete(dataKey(s.tenant(), s.database(), s.version()));
        verifications.forget(s.tenant(), s.database(), s.createdAt(), s.version());
    }

    private static String markerKey(Snapshot s) {
        return indexFolder(s.tenant(), s.database()) + inverted(s.createdAt()) + "_" + s.version() + "_"
                + s.sizeBytes() + "_" + s.storedBytes() + "_" + s.sha256() + "_"
                + (s.machineId() == null ? NO_MACHINE : s.machineId());
    }

    private Optional<Snapshot> first(String tenant, String database, String startAfter) {
        List<Snapshot> found = parse(tenant, database, store.list(indexFolder(tenant, database), startAfter, 1));
        return found.stream().findFirst();
    }

    private List<Snapshot> parse(String tenant, String database, BlobPage page) {
        List<Snapshot> result = new ArrayList<>();
        for (BlobPage.Entry e : page.entries()) {
            String name = e.key().substring(e.key().lastIndexOf('/') + 1);
            String[] f = name.split("_", 6);
            Optional<SnapshotVersion> version = f.length == 6 ? SnapshotVersion.parse(f[1]) : Optional.empty();
            if (version.isEmpty() || !f[4].matches("[0-9a-f]{64}") || !f[2].matches("\\d+") || !f[3].matches("\\d+")
                    || !(f[5].equals(NO_MACHINE) || Names.isValid(f[5]))) {
                log.warn("event=catalog.unreadable_marker key={}", e.key());
                continue;
            }
            result.add(new Snapshot(tenant, database, f[1], version.get().createdAt(), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), f[4], f[5].equals(NO_MACHINE) ? null : f[5], null, null));
        }
        return result;
    }

    private static String inverted(Instant at) {
        return pad(INVERT_FROM - at.toEpochMilli());
    }

    static String pad(long n) {
        return String.format("%013d", n);
    }
}
