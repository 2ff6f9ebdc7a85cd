package dev.cellar.server.machine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.alert.StatusWatch;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.JsonBody;
import dev.cellar.server.restore.RestoreRequest;
import dev.cellar.server.restore.RestoreRequests;
import io.javalin.http.Context;
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
                "stoppedOnPurpose"));
        String machine = Access.name("machineId", body.requiredString("machineId"));
        String region = label(body, "region");
        String agentVersion = label(body, "agentVersion");
        List<DatabaseReport> databases = HeartbeatDatabases.read(body.items("databases"), clock.instant());
        boolean stopping = body.bool("stoppedOnPurpose", false);
        machines.heartbeat(tenant, machine, region, agentVersion, databases, stopping);
        watch.soon(tenant); // the heartbeat may carry a failure or a recovery; evaluated off the request thread
        List<RestoreRequest> open = stopping ? List.of() : restores.open(tenant, machine);
        log.info("event=heartbeat tenant={} machine={} region={} openRestores={} stoppedOnPurpose={}", tenant,
                machine, region == null ? "-" : region, open.size(), stopping);
        ctx.json(Map.of("restores", open));
    }

    private static String label(JsonBody body, String field) {
        String value = body.string(field).orElse(null);
        if (value != null && !LABEL.matcher(value).matches()) {
            throw JsonBody.invalid("'" + field + "' must be 1-64 letters, digits or . _ + -");
        }
        return value;
    }
}
