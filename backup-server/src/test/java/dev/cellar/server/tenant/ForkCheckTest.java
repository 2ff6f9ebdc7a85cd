package dev.cellar.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.snapshot.Snapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overlap rule itself, on hand-made upload histories. */
class ForkCheckTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static Snapshot at(int minute, String machine) {
        return new Snapshot("t", "app", "v" + minute, T0.plusSeconds(60L * minute), 1, 1, "0".repeat(64), machine,
                null, null);
    }

    @Test
    void oneMachineNeverForks() {
        assertEquals(List.of(), ForkCheck.check(List.of(at(0, "a"), at(5, "a"), at(9, "a"))));
    }

    @Test
    void periodsThatFollowEachOtherDoNotFork() {
        assertEquals(List.of(), ForkCheck.check(List.of(at(0, "a"), at(5, "a"), at(6, "b"), at(9, "b"))));
    }

    @Test
    void aMachineUploadingInsideAnothersPeriodForks() {
        assertEquals(1, ForkCheck.check(List.of(at(0, "a"), at(5, "b"), at(9, "a"))).size());
    }

    @Test
    void uploadsAtTheSameInstantFork() {
        assertEquals(1, ForkCheck.check(List.of(at(3, "a"), at(3, "b"))).size());
    }

    @Test
    void everyOverlappingPairIsNamedAndUnknownMachinesAreIgnored() {
        List<ForkCheck.Warning> w = ForkCheck.check(List.of(at(0, "a"), at(1, "b"), at(2, "c"), at(3, "a"),
                at(4, null)));
        assertEquals(2, w.size()); // a–b and a–c; b and c each uploaded once, at different times
    }
}
