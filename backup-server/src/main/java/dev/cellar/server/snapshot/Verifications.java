package dev.cellar.server.snapshot;

import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore-drill verdicts, kept in the bucket beside the snapshots they judge. Each verdict is one empty object
 * whose key carries all of it, under {@code tenants/{t}/databases/{d}/drills/}:
 * {@code {13-digit inverted createdAt}_{version}_{13-digit inverted verifiedAt}_{ok | failed-<base64url text>}}.
 *
 * <p>The first half sorts exactly like the snapshot index, so the verdicts of a page of the history are one LIST
 * beside the index's LIST, never a GET per snapshot; within a version the newest verdict comes first. Every verdict
 * is a new key written with put-if-absent and never changed, so two instances drilling at once add two verdicts
 * and cannot corrupt one; a server rebuilt from the bucket reads the same verdicts.
 */
public final class Verifications {
    private static final Logger log = LoggerFactory.getLogger(Verifications.class);
    public static final String OK = "ok";
    private static final String FAILED = "failed-";
    /** Bytes of failure text kept in a key: the key's last segment stays under the 255 bytes a file name allows. */
    static final int MAX_TEXT_BYTES = 120;
    private final BlobStore store;

    /** One verdict: {@code verification} is {@code ok} or what the drill found. */
    public record Verdict(String version, Instant createdAt, Instant verifiedAt, String verification) {
        public boolean ok() {
            return OK.equals(verification);
        }
    }

    public Verifications(BlobStore store) {
        this.store = store;
    }

    private static String folder(String tenant, String database) {
        return SnapshotCatalog.databaseFolder(tenant, database) + "drills/";
    }

    /** A verdict and the key it is stored under. */
    private record Found(String key, Verdict verdict) {
    }

    /** Records a drill's verdict on {@code s}; {@code verification} is {@link #OK} or the failure, in words. */
    public Verdict record(Snapshot s, Instant verifiedAt, String verification) {
        String token = OK.equals(verification) ? OK : FAILED + encode(verification);
        String key = prefix(s.tenant(), s.database(), s.createdAt(), s.version())
                + SnapshotCatalog.pad(SnapshotCatalog.INVERT_FROM - verifiedAt.toEpochMilli()) + "_" + token;
        store.putIfAbsent(key, new byte[0]);
        return new Verdict(s.version(), s.createdAt(), verifiedAt, decode(token));
    }

    /** The newest verdict of the database's newest drilled snapshot: what says whether a database is failing. */
    public Optional<Verdict> latest(String tenant, String database) {
        return parse(store.list(folder(tenant, database), null, 1)).stream().findFirst();
    }

    /** The newest verdict on one version. */
    public Optional<Verdict> of(String tenant, String database, Snapshot s) {
        return verdicts(tenant, database, s.createdAt(), s.version(), s.createdAt(), s.version()).stream()
                .findFirst().map(Found::verdict);
    }

    /**
     * The newest snapshot whose newest verdict is ok and that {@code exists} (a verdict can outlive its snapshot
     * when a drill ends just after the snapshot was deleted), scanning newest first.
     */
    public Optional<Verdict> newestVerified(String tenant, String database, Predicate<Verdict> exists) {
        String folder = folder(tenant, database);
        String after = null;
        String judged = null;
        BlobPage page;
        do {
            page = store.list(folder, after, 1000);
            for (Verdict v : parse(page)) {
                if (!v.version().equals(judged)) { // the first verdict of a version is its newest
                    judged = v.version();
                    if (v.ok() && exists.test(v)) {
                        return Optional.of(v);
                    }
                }
            }
            after = page.entries().isEmpty() ? null : page.entries().get(page.entries().size() - 1).key();
        } while (page.truncated() && after != null);
        return Optional.empty();
    }

    /** The page with each snapshot's newest verdict filled in, read with one LIST for a page that was drilled. */
    public List<Snapshot> annotate(String tenant, String database, List<Snapshot> newestFirst) {
        if (newestFirst.isEmpty()) {
            return newestFirst;
        }
        Snapshot first = newestFirst.get(0);
        Snapshot last = newestFirst.get(newestFirst.size() - 1);
        Map<String, Verdict> newest = new HashMap<>();
        for (Found f : verdicts(tenant, database, first.createdAt(), first.version(), last.createdAt(),
                last.version())) {
            newest.putIfAbsent(f.verdict().version(), f.verdict());
        }
        List<Snapshot> out = new ArrayList<>(newestFirst.size());
        for (Snapshot s : newestFirst) {
            Verdict v = newest.get(s.version());
            out.add(v == null ? s : new Snapshot(s.tenant(), s.database(), s.version(), s.createdAt(), s.sizeBytes(),
                    s.storedBytes(), s.sha256(), s.machineId(), v.verifiedAt(), v.verification()));
        }
        return out;
    }

    /** Deletes every verdict on a version (part of deleting the snapshot); deleting none is not an error. */
    public void forget(String tenant, String database, Instant createdAt, String version) {
        for (Found f : verdicts(tenant, database, createdAt, version, createdAt, version)) {
            store.delete(f.key());
        }
    }

    /** The verdicts from the newest version {@code from} down to the oldest {@code to}, newest first. */
    private List<Found> verdicts(String tenant, String database, Instant fromAt, String from, Instant toAt,
                                   String to) {
        String folder = folder(tenant, database);
        // keys of `from` start with prefix(from) and sort after it without its trailing '_'
        String startAfter = prefix(tenant, database, fromAt, from);
        startAfter = startAfter.substring(0, startAfter.length() - 1);
        String end = prefix(tenant, database, toAt, to) + "~"; // '~' sorts after every character a key uses
        List<Found> out = new ArrayList<>();
        BlobPage page;
        do {
            page = store.list(folder, startAfter, 1000);
            for (BlobPage.Entry e : page.entries()) {
                if (e.key().compareTo(end) > 0) {
                    return out;
                }
                parse(e.key()).ifPresent(v -> out.add(new Found(e.key(), v)));
            }
            startAfter = page.entries().isEmpty() ? null : page.entries().get(page.entries().size() - 1).key();
        } while (page.truncated() && startAfter != null);
        return out;
    }

    private static String prefix(String tenant, String database, Instant createdAt, String version) {
        return folder(tenant, database) + SnapshotCatalog.pad(SnapshotCatalog.INVERT_FROM - createdAt.toEpochMilli())
                + "_" + version + "_";
    }

    private static List<Verdict> parse(BlobPage page) {
        List<Verdict> out = new ArrayList<>();
        page.entries().forEach(e -> parse(e.key()).ifPresent(out::add));
        return out;
    }

    private static Optional<Verdict> parse(String key) {
        String[] f = key.substring(key.lastIndexOf('/') + 1).split("_", 4);
        Optional<SnapshotVersion> version = f.length == 4 ? SnapshotVersion.parse(f[1]) : Optional.empty();
        if (version.isEmpty() || !f[2].matches("\\d{13}") || !(f[3].equals(OK) || f[3].startsWith(FAILED))) {
            log.warn("event=verifications.unreadable_key key={}", key);
            return Optional.empty();
        }
        try {
            Instant verifiedAt = Instant.ofEpochMilli(SnapshotCatalog.INVERT_FROM - Long.parseLong(f[2]));
            return Optional.of(new Verdict(f[1], version.get().createdAt(), verifiedAt, decode(f[3])));
        } catch (IllegalArgumentException e) {
            log.warn("event=verifications.unreadable_key key={}", key);
            return Optional.empty();
        }
    }

    /** The failure text, cut to {@link #MAX_TEXT_BYTES} bytes of UTF-8 on a character boundary, URL-safe base64. */
    private static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, MAX_TEXT_BYTES);
        while (n < bytes.length && n > 0 && (bytes[n] & 0xC0) == 0x80) {
            n--; // do not split a multi-byte character
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(bytes, n));
    }

    private static String decode(String token) {
        if (token.equals(OK)) {
            return OK;
        }
        return new String(Base64.getUrlDecoder().decode(token.substring(FAILED.length())), StandardCharsets.UTF_8);
    }
}
