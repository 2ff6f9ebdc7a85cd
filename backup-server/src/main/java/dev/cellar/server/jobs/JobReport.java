package dev.cellar.server.jobs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of a {@link NightlyJob} did.
 *
 * @param counts named counters, e.g. {@code {"databases": 12, "deleted": 30}}, in the order the job gave them
 * @param errors one short line per tenant or database that failed (bounded: the first few, not thousands)
 */
public record JobReport(Map<String, Long> counts, List<String> errors) {

    public JobReport {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        errors = List.copyOf(errors);
    }

    /** {@code ok} when nothing failed, otherwise {@code failed}. */
    public String outcome() {
        return errors.isEmpty() ? "ok" : "failed";
    }
}
