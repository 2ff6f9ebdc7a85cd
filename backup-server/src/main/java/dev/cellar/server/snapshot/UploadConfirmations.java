package dev.cellar.server.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last time an upload found a database unchanged, one small object per database:
 * {@code tenants/{t}/databases/{d}/confirmed.json}. An unchanged upload stores no snapshot, yet proves the backup
 * works; stale detection counts it as a backup. Each write replaces the whole object, so concurrent writers leave
 * one complete confirmation, never a mix.
 */
public final class UploadConfirmations {
    private static final Logger log = LoggerFactory.getLogger(UploadConfirmations.class);
    static final String NAME = "confirmed.json";
    private final BlobStore store;
    private final ObjectMapper json;

    /** What the object holds: when, which version the image equalled, and from which machine. */
    public record Confirmation(Instant at, String version, String machineId) {
    }

    public UploadConfirmations(BlobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    public static String key(String tenant, String database) {
        return SnapshotCatalog.databaseFolder(tenant, database) + NAME;
    }

    public void record(String tenant, String database, Confirmation confirmation) {
        try {
            store.put(key(tenant, database), json.writeValueAsBytes(confirmation));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Confirmation> last(String tenant, String database) {
        return store.read(key(tenant, database)).flatMap(bytes -> {
            try {
                return Optional.of(json.readValue(bytes, Confirmation.class));
            } catch (IOException e) {
                log.warn("event=confirmation.unreadable tenant={} database={}", tenant, database);
                return Optional.empty();
            }
        });
    }
}
