package dev.cellar.agent.cli;

import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.config.AgentConfig;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseSpec;
import dev.cellar.agent.restore.RestoreResult;
import dev.cellar.agent.snapshot.SnapshotResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON documents of {@code --json}, field names as the server's API spells them ({@code sizeBytes},
 * {@code createdAt}...); instants are ISO-8601 strings, absent values {@code null}. The token is never in any.
 */
final class JsonDocs {
    private JsonDocs() {
    }

    /** An object with {@code keysAndValues}' fields in this order. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static Map<String, Object> snapshot(SnapshotInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", s.database());
        m.put("version", s.version());
        m.put("createdAt", s.createdAt().toString());
        m.put("sizeBytes", s.sizeBytes());
        m.put("storedBytes", s.storedBytes());
        m.put("sha256", s.sha256());
        m.put("machineId", s.machineId().orElse(null));
        m.put("verifiedAt", s.verifiedAt().map(Object::toString).orElse(null));
        m.put("verification", s.verification().orElse(null));
        return m;
    }

    static Map<String, Object> backup(SnapshotResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", r.database().name());
        m.put("path", r.database().path().toString());
        m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        m.put("version", r.version().orElse(null));
        m.put("sha256", r.sha256());
        m.put("sizeBytes", r.sizeBytes());
        m.put("storedBytes", r.storedBytes());
        m.put("durationMs", r.took().toMillis());
        return m;
    }

    static Map<String, Object> failure(String database, Exception e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", database);
        m.put("error", ExitCodes.name(ExitCodes.of(e)));
        m.put("message", e.getMessage() == null ? e.toString() : e.getMessage());
        return m;
    }

    static Map<String, Object> restore(RestoreResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("restored", true);
        m.put("database", r.database());
        m.put("version", r.version());
        m.put("sha256", r.sha256());
        m.put("sizeBytes", r.sizeBytes());
        m.put("storedBytes", r.storedBytes());
        m.put("target", r.target().toString());
        m.put("install", r.install().name().toLowerCase(Locale.ROOT));
        m.put("preRestoreCopy", r.preRestoreCopy().map(Object::toString).orElse(null));
        m.put("resumes", r.resumes());
        m.put("durationMs", r.took().toMillis());
        return m;
    }

    static Map<String, Object> notRestored(String database, String target, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("restored", false);
        m.put("database", database);
        m.put("target", target);
        m.put("reason", reason);
        return m;
    }

    static Map<String, Object> config(AgentConfig c, List<Database> found) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serverUrl", c.serverUrl().toString());
        m.put("tenant", c.tenant());
        m.put("machineId", c.machineId().orElse(null));
        m.put("region", c.region().orElse(null));
        m.put("databases", c.databases().stream().map(JsonDocs::spec).toList());
        m.put("schedule", c.schedule());
        m.put("snapshotOnShutdown", c.snapshotOnShutdown());
        m.put("shutdownTimeout", c.shutdownTimeout().toString());
        m.put("tempDir", c.tempDir().map(Object::toString).orElse(null));
        m.put("stateDir", c.stateDir().map(Object::toString).orElse(null));
        m.put("zstdLevel", c.zstdLevel());
        m.put("zstdWorkers", c.zstdWorkers());
        m.put("concurrency", c.concurrency());
        m.put("integrityCheck", c.fullIntegrityCheck() ? "integrity_check" : "quick_check");
        m.put("minFreeBytes", c.minFree());
        m.put("retryAttempts", c.retry().attempts());
        m.put("retryBaseDelay", c.retry().baseDelay().toString());
        m.put("retryMaxDelay", c.retry().maxDelay().toString());
        m.put("requestTimeout", c.requestTimeout().toString());
        m.put("heartbeatInterval", c.machineId().isPresent() ? c.heartbeatInterval().toString() : null);
        m.put("allowEmptyStart", c.allowEmptyStart());
        m.put("found", found.stream().map(db -> object("database", db.name(), "path", db.path().toString())).toList());
        return m;
    }

    private static Map<String, Object> spec(DatabaseSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name().orElse(null));
        m.put("pattern", s.pattern());
        return m;
    }
}
