package dev.cellar.server.restore;

import java.time.Instant;

/**
 * The objects one restore request is made of, each written once with put-if-absent and never changed.
 * {@code request.json} holds the {@link Spec}; {@code claim.json} decides who owns the request — a machine that
 * will apply it, or a cancellation — so a request is applied at most once; {@code result.json} holds the outcome.
 */
final class StoredRequest {
    private StoredRequest() {
    }

    record Spec(String id, String tenant, String database, String version, String requested, String machineId,
                boolean onlyIfMissing, Instant createdAt) {
    }

    /**
     * Either {@code machineId} (a machine took it, until {@code expiresAt}) or {@code cancelled} with the reason.
     * A claim is a lease: its holder renews it, and another machine may take over once it has expired, each by
     * writing the next claim object ({@code claim-2.json}, ...), so the newest claim object is the one that holds.
     */
    record Claim(String machineId, Instant at, String cancelled, Instant expiresAt) {
        Claim(String machineId, Instant at, String cancelled) {
            this(machineId, at, cancelled, null);
        }

        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    record Result(String state, String message, String machineId, Instant at) {
    }

    static RestoreRequest view(Spec s, Claim claim, Result result) {
        String state = RestoreRequest.PENDING;
        String claimedBy = null;
        Instant claimedAt = null;
        Instant leaseExpiresAt = null;
        Instant finishedAt = null;
        String message = null;
        if (claim != null && claim.cancelled() != null) {
            state = RestoreRequest.CANCELLED;
            finishedAt = claim.at();
            message = claim.cancelled();
        } else if (claim != null) {
            state = RestoreRequest.RUNNING;
            claimedBy = claim.machineId();
            claimedAt = claim.at();
            leaseExpiresAt = claim.expiresAt();
            if (result != null) {
                state = result.state();
                finishedAt = result.at();
                message = result.message();
            }
        }
        return new RestoreRequest(s.id(), s.tenant(), s.database(), s.version(), s.requested(), s.machineId(),
                s.onlyIfMissing(), state, s.createdAt(), claimedBy, claimedAt, finishedAt, message,
                RestoreRequest.RUNNING.equals(state) ? leaseExpiresAt : null);
    }
}
