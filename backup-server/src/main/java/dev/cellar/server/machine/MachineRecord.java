package dev.cellar.server.machine;

import java.time.Instant;
import java.util.List;

/**
 * What a machine's agent said in its last heartbeat: {@code tenants/{t}/machines/{machineId}.json}.
 *
 * @param skippedVersions versions the agent's boot restores skipped because they failed verification (empty in
 *                        records written before the field existed)
 */
public record MachineRecord(String machineId, String region, String agentVersion, List<String> databases,
                            Instant firstSeenAt, Instant lastSeenAt, List<SkippedVersion> skippedVersions) {
    public MachineRecord {
        skippedVersions = skippedVersions == null ? List.of() : List.copyOf(skippedVersions);
    }
}
