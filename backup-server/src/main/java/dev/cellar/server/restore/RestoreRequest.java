package dev.cellar.server.restore;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * A request to restore one database of a tenant to a pinned version, as the API shows it.
 *
 * @param version       the concrete version to restore ({@code latest} is resolved when the request is made)
 * @param requested     what the admin asked for: {@code latest} or that version
 * @param machineId     the only machine that may apply it, or null for any machine of the tenant
 * @param onlyIfMissing only a machine whose database file is missing (a fresh volume) may apply it
 * @param state         {@code pending}, {@code running} (claimed), {@code completed}, {@code failed}, {@code cancelled}
 * @param leaseExpiresAt while running: when the claim lapses unless its machine renews it; after that another machine
 *                       may take the request over
 */
public record RestoreRequest(
        String id,
        String tenant,
        String database,
        String version,
        String requested,
        String machineId,
        boolean onlyIfMissing,
        String state,
        Instant createdAt,
        String claimedBy,
        Instant claimedAt,
        Instant finishedAt,
        String message,
        Instant leaseExpiresAt) {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    @JsonIgnore
    public boolean isPending() {
        return PENDING.equals(state);
    }

    @JsonIgnore
    public boolean isFinished() {
        return COMPLETED.equals(state) || FAILED.equals(state) || CANCELLED.equals(state);
    }

    @JsonIgnore
    public boolean isRunning() {
        return RUNNING.equals(state);
    }

    /** Whether {@code machine} may apply it (the agent still decides on {@link #onlyIfMissing}). */
    public boolean appliesTo(String machine) {
        return machineId == null || machineId.equals(machine);
    }
}
