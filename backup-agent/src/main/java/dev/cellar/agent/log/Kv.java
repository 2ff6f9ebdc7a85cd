package dev.cellar.agent.log;

/** Formatting of values in key=value log lines: one event per line, values quoted when they hold spaces. */
public final class Kv {
    private Kv() {
    }

    public static String quote(Object value) {
        String s = String.valueOf(value).replace('\n', ' ').replace('\r', ' ');
        if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return s;
    }
}
