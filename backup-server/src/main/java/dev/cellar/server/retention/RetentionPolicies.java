package dev.cellar.server.retention;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Retention policies: one per tenant in the bucket at {@code tenants/{t}/retention.json}, else the server-wide
 * default from the environment. A policy is one whole object replaced in one PUT, so two writers cannot leave a
 * mix of both; the last one wins, as with any replace.
 */
public final class RetentionPolicies {
    private final BlobStore store;
    private final ObjectMapper json;
    private final RetentionPolicy fallback;

    /** A tenant's policy in force and whether it is the tenant's own or the server-wide default. */
    public record Effective(String tenant, RetentionPolicy policy, String source) {
    }

    public RetentionPolicies(BlobStore store, ObjectMapper json, RetentionPolicy fallback) {
        this.store = store;
        this.json = json;
        this.fallback = fallback;
    }

    private static String key(String tenant) {
        return TenantRegistry.folder(tenant) + "retention.json";
    }

    public Effective effective(String tenant) {
        return own(tenant).map(p -> new Effective(tenant, p, "tenant"))
                .orElseGet(() -> new Effective(tenant, fallback, "default"));
    }

    public Optional<RetentionPolicy> own(String tenant) {
        return store.read(key(tenant)).map(bytes -> {
            try {
                return json.readValue(bytes, RetentionPolicy.class);
            } catch (IOException e) {
                // never guess a policy for a deleting job: a tenant whose policy cannot be read is skipped
                throw new IllegalStateException("unreadable retention policy " + key(tenant) + ": "
                        + e.getMessage(), e);
            }
        });
    }

    public void put(String tenant, RetentionPolicy policy) {
        try {
            store.put(key(tenant), json.writeValueAsBytes(policy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Back to the server-wide default. */
    public void remove(String tenant) {
        store.delete(key(tenant));
    }
}
