package dev.cellar.server.tenant;

import java.time.Instant;

/**
 * The small object {@code tenants/{t}/tenant.json}: it makes a tenant exist before its first snapshot and carries
 * the token generation; revoking a tenant's tokens moves the generation on, which every instance sees.
 */
public record TenantRecord(String tenant, long tokenGeneration, Instant createdAt) {
}
