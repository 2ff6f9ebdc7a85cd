package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.machine.MachineRecord;
import dev.cellar.server.machine.SkippedVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which skipped versions the database page lists, and in which order. */
class SkippedAtBootTest {
    private static final Instant EARLY = Instant.parse("2026-11-20T08:00:00Z");
    private static final Instant LATE = Instant.parse("2026-11-21T09:30:00Z");

    private static MachineRecord machine(String id, Instant lastSeenAt, SkippedVersion... skipped) {
        return new MachineRecord(id, "ams", "0.1.0", List.of(), EARLY, lastSeenAt, List.of(skipped), false);
    }

    private static SkippedVersion skipped(String database, String version) {
        return new SkippedVersion(database, version, "fails integrity_check on " + version);
    }

    @Test
    void onlyTheDatabasesVersionsAreListedNewestReportFirstEachMachineInItsAgentsOrder() {
        List<MachineRecord> machines = List.of(
                machine("m-early", EARLY, skipped("app", "v-e1")),
                machine("m-quiet", LATE),
                machine("m-never", null, skipped("app", "v-n1")),
                machine("m-late", LATE, skipped("app", "v-l2"), skipped("other", "v-o1"), skipped("app", "v-l1")));

        List<SkippedAtBoot> rows = SkippedAtBoot.of("app", machines);

        assertEquals(List.of("m-late/v-l2", "m-late/v-l1", "m-early/v-e1", "m-never/v-n1"),
                rows.stream().map(r -> r.machine() + "/" + r.version()).toList());
        assertEquals(new SkippedAtBoot("m-late", "v-l2", "fails integrity_check on v-l2", "2026-11-21 09:30 UTC"),
                rows.get(0));
        assertEquals("—", rows.get(3).reportedAt());
        assertEquals(List.of("v-o1"), SkippedAtBoot.of("other", machines).stream().map(SkippedAtBoot::version)
                .toList());
        assertEquals(List.of(), SkippedAtBoot.of("gone", machines));
    }
}
