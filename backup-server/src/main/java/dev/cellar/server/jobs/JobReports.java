package dev.cellar.server.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects a job's counts and its first few errors while it walks the fleet. Not thread-safe. */
public final class JobReports {
    static final int MAX_ERRORS = 20;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private long moreErrors;

    /** Declares counters up front so a report shows them, in this order, even at zero. */
    public JobReports(String... counters) {
        for (String c : counters) {
            counts.put(c, 0L);
        }
    }

    public void add(String counter, long n) {
        counts.merge(counter, n, Long::sum);
    }

    public void error(String line) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(line);
        } else {
            moreErrors++;
        }
    }

    public JobReport build() {
        List<String> all = new ArrayList<>(errors);
        if (moreErrors > 0) {
            all.add("... and " + moreErrors + " more (see the log)");
        }
        return new JobReport(counts, all);
    }
}
