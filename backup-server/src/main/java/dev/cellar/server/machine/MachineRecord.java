package dev.cellar.server.machine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a machine's agent said in its last heartbeat: {@code tenants/{t}/machines/{machineId}.json}.
 *
 * @param skippedVersions versions the agent's boot restores skipped because they failed verification (empty in
 *                        records written before the field existed)
 * @param stoppedOnPurpose the last heartbeat was the agent's final one at shutdown: the machine stopped on purpose
 *                         (an auto-stopped Fly machine), it did not go silent; its next start clears this
 */
public record MachineRecord(String machineId, String region, String agentVersion, List<DatabaseReport> databases,
                            Instant firstSeenAt, Instant lastSeenAt, List<SkippedVersion> skippedVersions,
                            boolean stoppedOnPurpose) {

    public MachineRecord {
        databases = databases == null ? List.of() : List.copyOf(databases);
        skippedVersions = skippedVersions == null ? List.of() : List.copyOf(skippedVersions);
    }

    /** This machine's report of {@code database}, if its last heartbeat listed it. */
    public Optional<DatabaseReport> report(String database) {
        return databases.stream().filter(d -> d.name().equals(database)).findFirst();
    }
}
