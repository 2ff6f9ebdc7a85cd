package dev.cellar.agent.snapshot;

import java.io.IOException;

/** The snapshot failed SQLite's own check: it is never uploaded. */
public class SnapshotRefusedException extends IOException {
    public SnapshotRefusedException(String message) {
        super(message);
    }
}
