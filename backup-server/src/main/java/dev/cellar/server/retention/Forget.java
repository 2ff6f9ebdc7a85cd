package dev.cellar.server.retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * The retention decision over one database's timeline, restic {@code forget} semantics, fed newest first one
 * snapshot at a time so a timeline of any length is decided with constant memory.
 *
 * <p>Each rule (last, hourly, daily, weekly, monthly, yearly) has a count. Walking from the newest snapshot, a rule
 * keeps a snapshot when it is the first one seen in a new time bucket of that rule (a new hour, day, ISO week, month
 * or year, in UTC) and the rule still has count left; keeping uses one count. Buckets are the snapshots' own: a
 * month without snapshots uses no monthly count. Like restic, the oldest snapshot is kept by every rule that still
 * has count left, which keeps the longest history the counts allow. Protections (the newest snapshot, the newest
 * verified one, pinned ones) are kept whatever the rules say, and still take part in the bucket counting.
 */
public final class Forget {
    /** What to do with one snapshot; {@code reasons} says why it stays (empty when it goes). */
    public record Verdict(boolean keep, List<String> reasons) {
        public Verdict {
            reasons = List.copyOf(reasons);
        }
    }

    private final RetentionPolicy policy;
    private final Rule[] rules;
    private int position;

    public Forget(RetentionPolicy policy) {
        this.policy = policy;
        this.rules = new Rule[] {
            new Rule("last", policy.keepLast(), at -> 0), // replaced by the position below
            new Rule("hourly", policy.hourly(), at -> day(at) * 100 + at.getHour()),
            new Rule("daily", policy.daily(), Forget::day),
            new Rule("weekly", policy.weekly(),
                at -> at.get(IsoFields.WEEK_BASED_YEAR) * 100L + at.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)),
            new Rule("monthly", policy.monthly(), at -> at.getYear() * 100L + at.getMonthValue()),
            new Rule("yearly", policy.yearly(), at -> at.getYear()),
        };
    }

    /**
     * Decides the next snapshot, which must be older than (or as old as) the previous one.
     *
     * @param createdAt   when the snapshot was taken
     * @param oldest      true for the last (oldest) snapshot of the timeline
     * @param protections reasons that keep it regardless of the rules, e.g. {@code "newest snapshot"}
     */
    public Verdict next(Instant createdAt, boolean oldest, List<String> protections) {
        int nr = position++;
        List<String> reasons = new ArrayList<>(protections);
        if (policy.isEmpty()) {
            reasons.add("policy is empty");
            return new Verdict(true, reasons);
        }
        ZonedDateTime at = createdAt.atZone(ZoneOffset.UTC);
        for (int i = 0; i < rules.length; i++) {
            Rule rule = rules[i];
            if (rule.left <= 0) {
                continue;
            }
            long bucket = i == 0 ? nr : rule.bucket.applyAsLong(at);
            if (bucket != rule.lastBucket || oldest) {
                rule.lastBucket = bucket;
                rule.left--;
                reasons.add(rule.name + " snapshot");
            }
        }
        return new Verdict(!reasons.isEmpty(), reasons);
    }

    /** The whole decision for a timeline given newest first; mostly for tests and small timelines. */
    public static List<Verdict> apply(RetentionPolicy policy, List<Instant> newestFirst,
                                      IntFunction<List<String>> protections) {
        Forget forget = new Forget(policy);
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            out.add(forget.next(newestFirst.get(i), i == newestFirst.size() - 1, protections.apply(i)));
        }
        return out;
    }

    private static long day(ZonedDateTime at) {
        return at.getYear() * 10_000L + at.getMonthValue() * 100L + at.getDayOfMonth();
    }

    private static final class Rule {
        final String name;
        final ToLongFunction<ZonedDateTime> bucket;
        int left;
        long lastBucket = Long.MIN_VALUE;

        Rule(String name, int count, ToLongFunction<ZonedDateTime> bucket) {
            this.name = name;
            this.left = count;
            this.bucket = bucket;
        }
    }
}
