package dev.cellar.server.machine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.alert.StatusWatch;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.JsonBody;
import dev.cellar.server.restore.RestoreRequest;
import dev.cellar.server.restore.RestoreRequests;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /tenants/{t}/heartbeats}: an agent says it is alive and learns which restores wait for it. */
public final class HeartbeatHandler {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);
    /** Region codes and version strings: short and printable, so they are safe to show and log. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final int MAX_SKIPPED = 20;
    private static final int MAX_REASON = 300;
    private final Access access;
    private final MachineRegistry machines;
    private final RestoreRequests restores;
    private final ObjectMapper json;
    private final StatusWatch watch;
    private final Clock clock;

    public HeartbeatHandler(Access access, MachineRegistry machines, RestoreRequests restores, ObjectMapper json,
                            StatusWatch watch, Clock clock) {
        this.access = access;
        this.watch = watch;
        this.clock = clock;
        this.machines = machines;
        this.restores = restores;
        this.json = json;
    }

    public void heartbeat(Context ctx) {
        String tenant = access.requireTenant(ctx);
        JsonBody body = JsonBody.read(ctx, json, Set.of("machineId", "region", "agentVersion", "databases",
                "skippedVersions", "stoppedOnPurpose"));
        String machine = Access.name("machineId", body.requiredString("machineId"));
        String region = label(body, "region");
        String agentVersion = label(body, "agentVersion");
        List<DatabaseReport> databases = HeartbeatDatabases.read(body.items("databases"), clock.instant());
        List<SkippedVersion> skipped = skippedVersions(body);
        boolean stopping = body.bool("stoppedOnPurpose", false);
        machines.heartbeat(tenant, machine, region, agentVersion, databases, skipped, stopping);
        skipped.forEach(v -> log.warn("event=heartbeat.skipped_version tenant={} machine={} database={} version={}",
                tenant, machine, v.database(), v.version()));
        watch.soon(tenant); // the heartbeat may carry a failure or a recovery; evaluated off the request thread
        List<RestoreRequest> open = stopping ? List.of() : restores.open(tenant, machine);
        log.info("event=heartbeat tenant={} machine={} region={} openRestores={} stoppedOnPurpose={}", tenant,
                machine, region == null ? "-" : region, open.size(), stopping);
        ctx.json(Map.of("restores", open));
    }

    /**
     * What the agent's boot restores skipped: bounded, names and versions checked, reasons printable and short,
     * since the record is shown to operators.
     */
    private static List<SkippedVersion> skippedVersions(JsonBody body) {
        List<JsonBody> items = body.objects("skippedVersions", Set.of("database", "version", "reason"));
        if (items.size() > MAX_SKIPPED) {
            throw JsonBody.invalid("'skippedVersions' may hold at most " + MAX_SKIPPED + " entries");
        }
        List<SkippedVersion> out = new ArrayList<>();
        for (JsonBody item : items) {
            String database = Access.name("skippedVersions[].database", item.requiredString("database"));
            String version = item.requiredString("version");
            if (SnapshotVersion.parse(version).isEmpty()) {
                throw JsonBody.invalid("'skippedVersions[].version' is not a snapshot version");
            }
            String reason = item.requiredString("reason");
            if (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
                throw JsonBody.invalid("'skippedVersions[].reason' must be at most " + MAX_REASON
                        + " characters on one line");
            }
            out.add(new SkippedVersion(database, version, reason));
        }
        return out;
    }

    private static String label(JsonBody body, String field) {
        String value = body.string(field).orElse(null);
        if (value != null && !LABEL.matcher(value).matches()) {
            throw JsonBody.invalid("'" + field + "' must be 1-64 letters, digits or . _ + -");
        }
        return value;
    }
}
