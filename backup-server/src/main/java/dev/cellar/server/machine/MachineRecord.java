package dev.cellar.server.machine;

import java.time.Instant;
import java.util.List;

/** What a machine's agent said in its last heartbeat: {@code tenants/{t}/machines/{machineId}.json}. */
public record MachineRecord(String machineId, String region, String agentVersion, List<String> databases,
                            Instant firstSeenAt, Instant lastSeenAt) {
}
