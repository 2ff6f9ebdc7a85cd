package dev.cellar.core.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BACKUP_*} names a program does not read: most likely typos, which must not silently change behaviour.
 * They are warned about at start, with the known name they most resemble.
 */
public final class UnknownVariables {
    private static final Logger log = LoggerFactory.getLogger(UnknownVariables.class);
    private static final String PREFIX = "BACKUP_";

    private UnknownVariables() {
    }

    /** The {@code BACKUP_*} names in {@code env} that are not in {@code known}, sorted. */
    public static List<String> in(Map<String, String> env, Set<String> known) {
        return env.keySet().stream().filter(n -> n.startsWith(PREFIX) && !known.contains(n)).sorted().toList();
    }

    /** The known name {@code name} most likely meant: one or two letters away (one for short names). */
    public static Optional<String> suggestion(String name, Set<String> known) {
        int allowed = name.length() - PREFIX.length() >= 5 ? 2 : 1;
        return known.stream().sorted()
                .filter(k -> distance(name, k) <= allowed)
                .min((a, b) -> Integer.compare(distance(name, a), distance(name, b)));
    }

    /** What the warning says about {@code name}. */
    public static String hint(String name, Set<String> known) {
        return suggestion(name, known).map(s -> "unknown variable, did you mean " + s + "?")
                .orElse("unknown variable, a typo?");
    }

    /** Logs one warning line for each unknown name. */
    public static void warn(Collection<String> unknown, Set<String> known) {
        for (String name : unknown) {
            log.warn("event=config.unknown_variable name={} hint=\"{}\"", name, hint(name, known));
        }
    }

    /** Edit distance counting a swap of two neighbouring letters as one edit ({@code SCHEDUEL}). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
