package dev.cellar.agent.client;

import dev.cellar.core.Names;
import dev.cellar.core.SnapshotVersion;
import java.util.Map;
import java.util.Optional;

/**
 * A restore request as the server describes it: an operator asked for {@code version} of {@code database} to be
 * restored, on one machine ({@code machineId}) or on any machine of the tenant.
 *
 * @param version       always a concrete version ("latest" was resolved when the request was made)
 * @param requested     what the operator asked for: "latest" or a version
 * @param onlyIfMissing only a machine whose database file is missing may apply it (restore into a clone)
 * @param state         pending, running, completed, failed or cancelled
 */
public record RestoreRequest(String id, String database, String version, String requested,
                             Optional<String> machineId, boolean onlyIfMissing, String state,
                             Optional<String> claimedBy, Optional<String> message) {
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String RUNNING = "running";

    /** Claimed by some machine (perhaps this one, before a restart) and not ended. */
    public boolean running() {
        return RUNNING.equals(state);
    }

    /** Whether machine {@code machine} may apply it: it targets that machine or any machine. */
    public boolean targets(String machine) {
        return machineId.isEmpty() || machineId.get().equals(machine);
    }

    static RestoreRequest fromJson(Map<String, Object> json) {
        return new RestoreRequest(
                validName(Json.string(json, "id"), "id"),
                validName(Json.string(json, "database"), "database"),
                validVersion(Json.string(json, "version")),
                Json.optionalString(json, "requested").orElse(Json.string(json, "version")),
                Json.optionalString(json, "machineId"),
                Boolean.TRUE.equals(json.get("onlyIfMissing")),
                Json.string(json, "state"),
                Json.optionalString(json, "claimedBy"),
                Json.optionalString(json, "message"));
    }

    /** The id and the database go into request paths and file names: refuse anything but a plain name. */
    private static String validName(String value, String field) {
        if (!Names.isValid(value)) {
            throw new IllegalStateException("the server sent a restore request with an invalid " + field + ": "
                    + Names.problem(field, value));
        }
        return value;
    }

    /** The version goes into a request path. */
    private static String validVersion(String value) {
        if (SnapshotVersion.parse(value).isEmpty()) {
            throw new IllegalStateException("the server sent a restore request with an invalid version");
        }
        return value;
    }
}
