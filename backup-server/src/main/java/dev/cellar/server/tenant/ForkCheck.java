package dev.cellar.server.tenant;

import dev.cellar.server.snapshot.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds forked history: two machines that each uploaded snapshots for one tenant during overlapping periods. A
 * machine that hands over to its clone (the original stops, then the clone starts uploading) has periods that
 * follow each other and is not a fork; a clone left running beside its original interleaves with it.
 */
public final class ForkCheck {
    private ForkCheck() {
    }

    /** A warning the tenant overview shows until its cause is older than the window. */
    public record Warning(String code, String message) {
    }

    private record Period(String machine, Instant first, Instant last) {
    }

    /** @param snapshots the tenant's snapshots (any databases, any order) within the window */
    public static List<Warning> check(List<Snapshot> snapshots) {
        Map<String, Period> periods = new TreeMap<>();
        for (Snapshot s : snapshots) {
            if (s.machineId() == null) {
                continue;
            }
            periods.merge(s.machineId(), new Period(s.machineId(), s.createdAt(), s.createdAt()),
                    (a, b) -> new Period(a.machine(), min(a.first(), b.first()), max(a.last(), b.last())));
        }
        List<Period> all = new ArrayList<>(periods.values());
        List<Warning> warnings = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Period a = all.get(i);
                Period b = all.get(j);
                if (!a.first().isAfter(b.last()) && !b.first().isAfter(a.last())) {
                    warnings.add(new Warning("forked_history", "machines " + a.machine() + " and " + b.machine()
                            + " both uploaded snapshots between " + max(a.first(), b.first()) + " and "
                            + min(a.last(), b.last()) + ": two machines writing for one tenant fork its history."
                            + " Keep one (stop or destroy the other) and check which holds the data you want."));
                }
            }
        }
        return warnings;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
