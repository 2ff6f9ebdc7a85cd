package dev.cellar.agent.client;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One database in a heartbeat: its name and, when known, the agent's last outcomes of it (null fields are left
 * out).
 */
public record HeartbeatDatabase(String name, Instant lastBackupAt, String lastError, Instant lastErrorAt,
                                Long sizeBytes) {
    /** The server takes error texts of up to 500 characters. */
    static final int MAX_ERROR = 500;

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        if (lastBackupAt != null) {
            out.put("lastBackupAt", lastBackupAt.toString());
        }
        if (lastError != null) {
            out.put("lastError", lastError.length() <= MAX_ERROR ? lastError
                    : lastError.substring(0, MAX_ERROR - 3) + "...");
            out.put("lastErrorAt", lastErrorAt.toString());
        }
        if (sizeBytes != null) {
            out.put("sizeBytes", sizeBytes);
        }
        return out;
    }
}
