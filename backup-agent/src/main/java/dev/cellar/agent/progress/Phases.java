package dev.cellar.agent.progress;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** How long each step of one snapshot or restore took, for the log line an operator reads when one gets slow. */
public final class Phases {
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private long last = System.nanoTime();

    public void mark(String phase) {
        long now = System.nanoTime();
        millis.put(phase, (now - last) / 1_000_000);
        last = now;
    }

    public Map<String, Long> millis() {
        return Map.copyOf(millis);
    }

    /** {@code vacuum_ms=12 digest_ms=3 ...}, in the order the steps ran. */
    @Override
    public String toString() {
        return millis.entrySet().stream().map(e -> e.getKey() + "_ms=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
