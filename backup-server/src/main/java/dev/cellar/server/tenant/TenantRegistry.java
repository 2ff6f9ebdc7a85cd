package dev.cellar.server.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Tenants as the bucket knows them: one folder each under {@code tenants/}. */
public final class TenantRegistry {
    private static final String ROOT = "tenants/";
    private final BlobStore store;
    private final ObjectMapper json;
    private final Clock clock;

    public TenantRegistry(BlobStore store, ObjectMapper json, Clock clock) {
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    public static String folder(String tenant) {
        return ROOT + tenant + "/";
    }

    public Optional<TenantRecord> find(String tenant) {
        return store.read(folder(tenant) + "tenant.json").map(this::parse);
    }

    /** The tenant's record, created with generation 0 when it is new. */
    public TenantRecord ensure(String tenant) {
        return find(tenant).orElseGet(() -> write(new TenantRecord(tenant, 0, clock.instant())));
    }

    /** Moves the token generation on, so every token minted before now stops working. */
    public TenantRecord nextTokenGeneration(String tenant) {
        TenantRecord current = ensure(tenant);
        return write(new TenantRecord(tenant, current.tokenGeneration() + 1, current.createdAt()));
    }

    /** Every tenant with a folder in the store: minted a token or uploaded a snapshot. */
    public List<String> names() {
        return store.folders(ROOT).stream()
                .map(f -> f.substring(ROOT.length(), f.length() - 1))
                .toList();
    }

    private TenantRecord write(TenantRecord record) {
        try {
            store.put(folder(record.tenant()) + "tenant.json", json.writeValueAsBytes(record));
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TenantRecord parse(byte[] bytes) {
        try {
            return json.readValue(bytes, TenantRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable tenant.json", e);
        }
    }
}
