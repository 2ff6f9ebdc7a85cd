package dev.cellar.server.tenant;

import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Visits every tenant in name order without holding the fleet in memory: each step is one LIST of one key that
 * starts after the previous tenant's folder. For jobs that walk the whole fleet.
 */
public final class TenantWalk {
    private static final String ROOT = "tenants/"; // as in TenantRegistry.folder
    private final BlobStore store;

    public TenantWalk(BlobStore store) {
        this.store = store;
    }

    public void forEach(Consumer<String> tenant) {
        all().forEach(tenant);
    }

    /** Every tenant in name order, each found when the loop reaches it. */
    public Iterable<String> all() {
        return () -> new Iterator<>() {
            private Optional<String> next = TenantWalk.this.next(null);

            @Override
            public boolean hasNext() {
                return next.isPresent();
            }

            @Override
            public String next() {
                String current = next.orElseThrow(NoSuchElementException::new);
                next = TenantWalk.this.next(current);
                return current;
            }
        };
    }

    /** The first tenant whose name sorts after {@code after} (null: the first of all). */
    Optional<String> next(String after) {
        // every key of tenant t starts with "tenants/t/"; "tenants/t0" sorts after all of them ('0' follows '/')
        String startAfter = after == null ? null : ROOT + after + "0";
        while (true) {
            BlobPage page = store.list(ROOT, startAfter, 1);
            if (page.entries().isEmpty()) {
                return Optional.empty();
            }
            String key = page.entries().get(0).key();
            int slash = key.indexOf('/', ROOT.length());
            if (slash > ROOT.length()) {
                return Optional.of(key.substring(ROOT.length(), slash));
            }
            startAfter = key; // an object directly under tenants/ names no tenant
        }
    }
}
