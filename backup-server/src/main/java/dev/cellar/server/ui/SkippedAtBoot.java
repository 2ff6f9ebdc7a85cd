package dev.cellar.server.ui;

import dev.cellar.server.machine.MachineRecord;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One version of a database that a machine's agent passed over when it restored the missing database at boot
 * (damaged, or a drill had found it so), as the database page lists it. {@code reportedAt} is the machine's last
 * heartbeat: each heartbeat of that agent process repeats the list, so it is when the report was last confirmed.
 */
public record SkippedAtBoot(String machine, String version, String reason, String reportedAt) {
    /** Machines that reported most recently first, so a fresh boot's skips head the list. */
    private static final Comparator<MachineRecord> NEWEST_REPORT_FIRST = Comparator
            .comparing(MachineRecord::lastSeenAt, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(MachineRecord::machineId);

    /**
     * The versions of {@code database} skipped by any of the tenant's machines, in each machine's own order (the
     * order its agent tried them, newest first).
     *
     * @param machines the tenant's machine records ({@link dev.cellar.server.machine.MachineRegistry#list}), which
     *                 the per-tenant machine cap bounds
     */
    static List<SkippedAtBoot> of(String database, List<MachineRecord> machines) {
        return machines.stream().sorted(NEWEST_REPORT_FIRST)
                .flatMap(m -> m.skippedVersions().stream().filter(v -> v.database().equals(database))
                        .map(v -> new SkippedAtBoot(m.machineId(), v.version(), v.reason(),
                                Format.time(m.lastSeenAt()))))
                .toList();
    }
}
