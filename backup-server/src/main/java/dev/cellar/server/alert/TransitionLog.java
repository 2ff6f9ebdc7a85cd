package dev.cellar.server.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Each database's status transitions, numbered, in the bucket:
 * {@code tenants/{t}/databases/{d}/transitions/{9999999999 - n}.json}. Transition {@code n + 1} is written with
 * put-if-absent, so of several server instances that see the same change exactly one records it, and only that one
 * sends the alert. The inverted number makes the newest the first key of a listing. The last {@value #KEEP} are
 * kept.
 */
final class TransitionLog {
    static final int KEEP = 20;
    private static final long TOP = 9_999_999_999L;
    private final BlobStore store;
    private final ObjectMapper json;

    /** A recorded transition and its number. */
    record Entry(long number, Transition transition) {
    }

    TransitionLog(BlobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** The newest recorded transition of the database: one LIST of one key and one read. */
    Optional<Entry> latest(String tenant, String database) {
        String folder = folder(tenant, database);
        BlobPage page = store.list(folder, null, 1);
        if (page.entries().isEmpty()) {
            return Optional.empty();
        }
        String key = page.entries().get(0).key();
        String name = key.substring(folder.length(), key.length() - ".json".length());
        long number = TOP - Long.parseLong(name);
        return store.read(key).map(bytes -> new Entry(number, parse(bytes)));
    }

    /**
     * Records {@code t} as transition {@code number}.
     *
     * @return false when another instance recorded that number first
     */
    boolean append(long number, Transition t) {
        try {
            if (!store.putIfAbsent(key(t.tenant(), t.database(), number), json.writeValueAsBytes(t))) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (number > KEEP) {
            store.delete(key(t.tenant(), t.database(), number - KEEP));
        }
        return true;
    }

    private Transition parse(byte[] bytes) {
        try {
            return json.readValue(bytes, Transition.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable status transition", e);
        }
    }

    private static String folder(String tenant, String database) {
        return TenantRegistry.folder(tenant) + "databases/" + database + "/transitions/";
    }

    private static String key(String tenant, String database, long number) {
        return folder(tenant, database) + String.format("%010d", TOP - number) + ".json";
    }
}
