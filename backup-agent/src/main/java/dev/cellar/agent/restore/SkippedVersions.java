package dev.cellar.agent.restore;

import dev.cellar.agent.client.SkippedVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The versions this agent's boot restores skipped, kept for the life of the process so that every heartbeat
 * reports them: the server stores them in the machine's record, where an operator finds them.
 */
public final class SkippedVersions {
    /** A bound on what a heartbeat carries; the log lines have every one. */
    static final int MAX = 20;
    private final List<SkippedVersion> skipped = new ArrayList<>();

    synchronized void add(SkippedVersion s) {
        if (skipped.size() < MAX) {
            skipped.add(s);
        }
    }

    public synchronized List<SkippedVersion> list() {
        return List.copyOf(skipped);
    }
}
