package dev.cellar.agent.snapshot;

import dev.cellar.agent.client.HeartbeatDatabase;
import dev.cellar.agent.config.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this agent's snapshots of each database came to since it started: the last success (an upload or an
 * unchanged image), the last error and the file's size. Kept in memory only; heartbeats report it, and the server
 * decides from it whether a database is failing. A restarted agent reports nothing until its first snapshot.
 */
public final class DatabaseHealth {
    private record State(Instant lastBackupAt, String lastError, Instant lastErrorAt, Long sizeBytes) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Clock clock;

    public DatabaseHealth(Clock clock) {
        this.clock = clock;
    }

    /** A snapshot ended well: uploaded, or unchanged (nothing to send). */
    public void succeeded(SnapshotResult r) {
        long size;
        try {
            size = Files.size(r.database().path());
        } catch (IOException e) {
            size = r.sizeBytes();
        }
        long bytes = size;
        Instant now = clock.instant();
        states.compute(r.database().name(), (name, s) -> new State(now, s == null ? null : s.lastError(),
                s == null ? null : s.lastErrorAt(), bytes));
    }

    public void failed(Database db, Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Instant now = clock.instant();
        states.compute(db.name(), (name, s) -> new State(s == null ? null : s.lastBackupAt(), message, now,
                s == null ? null : s.sizeBytes()));
    }

    /** A report per name, empty fields for a database this agent has not snapshotted yet. */
    public List<HeartbeatDatabase> reports(List<String> names) {
        return names.stream().map(name -> {
            State s = states.get(name);
            return s == null ? new HeartbeatDatabase(name, null, null, null, null)
                    : new HeartbeatDatabase(name, s.lastBackupAt(), s.lastError(), s.lastErrorAt(), s.sizeBytes());
        }).toList();
    }
}
