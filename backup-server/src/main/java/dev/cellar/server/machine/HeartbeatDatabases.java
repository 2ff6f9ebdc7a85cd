package dev.cellar.server.machine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.JsonBody;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code databases} of a heartbeat: plain names (older agents) or objects with the agent's last outcomes. Read
 * strictly like every body ({@code 400 invalid_json} naming the field); the agent's times are capped at the moment
 * the heartbeat arrives, so a machine with a clock ahead cannot push its database's last backup into the future.
 */
final class HeartbeatDatabases {
    /** Error texts are for people; a few lines are enough, and they are shown and sent as they are. */
    static final int MAX_ERROR_CHARS = 500;
    private static final Set<String> FIELDS = Set.of("name", "lastBackupAt", "lastError", "lastErrorAt", "sizeBytes");

    private HeartbeatDatabases() {
    }

    static List<DatabaseReport> read(List<JsonNode> items, Instant now) {
        List<DatabaseReport> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode item : items) {
            DatabaseReport report = item.isTextual() ? DatabaseReport.ofName(Access.name("databases", item.asText()))
                    : object(item, now);
            if (!seen.add(report.name())) {
                throw JsonBody.invalid("'databases' lists '" + report.name() + "' twice");
            }
            out.add(report);
        }
        return out;
    }

    private static DatabaseReport object(JsonNode item, Instant now) {
        if (!item.isObject()) {
            throw JsonBody.invalid("'databases' must hold names or objects with a 'name'");
        }
        for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw JsonBody.invalid("unknown field 'databases[]." + field + "'; known fields: "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        JsonNode name = item.get("name");
        if (name == null || !name.isTextual()) {
            throw JsonBody.invalid("'databases[].name' is required and must be a string");
        }
        JsonNode size = item.get("sizeBytes");
        if (size != null && !size.isNull() && (!size.isIntegralNumber() || !size.canConvertToLong()
                || size.asLong() < 0)) {
            throw JsonBody.invalid("'databases[].sizeBytes' must be a whole number of at least 0, got " + size);
        }
        String error = text(item.get("lastError"));
        return new DatabaseReport(Access.name("databases", name.asText()), instant(item, "lastBackupAt", now),
                error, instant(item, "lastErrorAt", now), size == null || size.isNull() ? null : size.asLong(), 0);
    }

    private static Instant instant(JsonNode item, String field, Instant now) {
        JsonNode v = item.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            Instant at = Instant.parse(v.isTextual() ? v.asText() : "");
            return at.isAfter(now) ? now : at;
        } catch (DateTimeParseException e) {
            throw JsonBody.invalid("'databases[]." + field + "' must be an ISO-8601 instant such as"
                    + " 2026-11-21T09:30:00Z, got " + v);
        }
    }

    /** Free text from an agent: shortened, control characters (line breaks too) made spaces. */
    private static String text(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw JsonBody.invalid("'databases[].lastError' must be a string");
        }
        String clean = v.asText().replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() <= MAX_ERROR_CHARS ? clean : clean.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }
}
