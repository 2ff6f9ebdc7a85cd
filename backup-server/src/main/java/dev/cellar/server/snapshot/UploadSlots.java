package dev.cellar.server.snapshot;

import dev.cellar.server.http.ApiError;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's upload slots: a fixed number at a time (each holds a part buffer and codec state, so memory stays
 * bounded), and no more than a share of them for one tenant, so a tenant with stalled uploads cannot make every
 * other tenant's backups fail with "busy".
 */
final class UploadSlots {
    private final int total;
    private final int perTenant;
    private final Map<String, Integer> held = new HashMap<>();
    private int inUse;

    UploadSlots(int total, int perTenant) {
        this.total = total;
        this.perTenant = perTenant;
    }

    /** A slot, released by closing it. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** @throws ApiError 503 busy when the server or this tenant has no slot free */
    synchronized Slot acquire(String tenant) {
        int mine = held.getOrDefault(tenant, 0);
        if (mine >= perTenant) {
            throw ApiError.unavailable("busy", "tenant " + tenant + " already has " + mine
                    + " uploads in progress, the most one tenant may run at once (BACKUP_MAX_UPLOADS_PER_TENANT);"
                    + " retry later", 5);
        }
        if (inUse >= total) {
            throw ApiError.unavailable("busy", "the server is receiving as many uploads as it allows"
                    + " (BACKUP_MAX_CONCURRENT_UPLOADS); retry later", 5);
        }
        inUse++;
        held.put(tenant, mine + 1);
        return () -> release(tenant);
    }

    private synchronized void release(String tenant) {
        inUse--;
        held.computeIfPresent(tenant, (t, n) -> n == 1 ? null : n - 1);
    }
}
