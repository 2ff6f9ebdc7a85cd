package dev.cellar.server.retention;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many snapshots of a database to keep, in restic {@code forget} terms: the newest {@code keepLast}, and the
 * newest snapshot in each of the last {@code hourly} hours, {@code daily} days, {@code weekly} ISO weeks,
 * {@code monthly} months and {@code yearly} years that have a snapshot (UTC). A policy of all zeros keeps
 * everything.
 */
public record RetentionPolicy(int keepLast, int hourly, int daily, int weekly, int monthly, int yearly) {
    /** The field names of the JSON form, in order (declared first: the constructor of DEFAULT reads it). */
    public static final List<String> FIELDS = List.of("keepLast", "hourly", "daily", "weekly", "monthly", "yearly");
    /** The largest count a field accepts: far beyond any useful history, small enough never to overflow. */
    public static final int MAX_COUNT = 1_000_000;
    /** The server-wide default when no {@code BACKUP_RETENTION_*} variable is set. */
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(24, 0, 7, 5, 12, 0);

    public RetentionPolicy {
        for (Map.Entry<String, Integer> e : fields(keepLast, hourly, daily, weekly, monthly, yearly).entrySet()) {
            if (e.getValue() < 0 || e.getValue() > MAX_COUNT) {
                throw new IllegalArgumentException(e.getKey() + " must be from 0 to " + MAX_COUNT);
            }
        }
    }

    /** True when every count is zero: nothing would be deleted. */
    @JsonIgnore
    public boolean isEmpty() {
        return keepLast == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0;
    }

    private static Map<String, Integer> fields(int... values) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(FIELDS.get(i), values[i]);
        }
        return out;
    }
}
