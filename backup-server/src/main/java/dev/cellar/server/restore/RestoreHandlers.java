package dev.cellar.server.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.JsonBody;
import dev.cellar.server.snapshot.Snapshot;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotDownloads;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The restore-request endpoints: the admin asks, a tenant's agent claims, applies and reports. */
public final class RestoreHandlers {
    private static final Logger log = LoggerFactory.getLogger(RestoreHandlers.class);
    private static final int MAX_MESSAGE = 2000;
    private final Access access;
    private final RestoreRequests requests;
    private final SnapshotCatalog catalog;
    private final ObjectMapper json;

    public RestoreHandlers(Access access, RestoreRequests requests, SnapshotCatalog catalog, ObjectMapper json) {
        this.access = access;
        this.requests = requests;
        this.catalog = catalog;
        this.json = json;
    }

    public void create(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        String database = Access.name(ctx, "database");
        JsonBody body = JsonBody.read(ctx, json, Set.of("version", "machineId", "onlyIfMissing"));
        String requested = body.requiredString("version");
        Optional<String> machine = body.string("machineId").map(m -> Access.name("machineId", m));
        boolean onlyIfMissing = body.bool("onlyIfMissing", false);
        Snapshot snapshot = resolve(tenant, database, requested);
        RestoreRequest r = requests.create(tenant, database, snapshot.version(), requested, machine.orElse(null),
                onlyIfMissing);
        log.info("event=restore.requested tenant={} database={} id={} version={} machine={} onlyIfMissing={}",
                tenant, database, r.id(), r.version(), machine.orElse("-"), onlyIfMissing);
        ctx.status(202).header("Location", "/api/v1/tenants/" + tenant + "/restores/" + r.id()).json(r);
    }

    public void list(Context ctx) {
        String tenant = access.requireTenant(ctx);
        String state = ctx.queryParam("state");
        if (state != null && !state.equals(RestoreRequest.PENDING)) {
            throw ApiError.badRequest("invalid_state", "state may only be 'pending', got '" + state + "'");
        }
        ctx.json(Map.of("restores", requests.list(tenant, state != null)));
    }

    public void get(Context ctx) {
        String tenant = access.requireTenant(ctx);
        ctx.json(requests.find(tenant, id(ctx)).orElseThrow(() -> ApiError.notFound("no restore request "
                + ctx.pathParam("id"))));
    }

    public void claim(Context ctx) {
        String tenant = access.requireTenant(ctx);
        String id = id(ctx);
        String machine = Access.name("machineId",
                JsonBody.read(ctx, json, Set.of("machineId")).requiredString("machineId"));
        RestoreRequest r = requests.claim(tenant, id, machine);
        log.info("event=restore.claimed tenant={} id={} machine={}", tenant, id, machine);
        ctx.json(r);
    }

    public void result(Context ctx) {
        String tenant = access.requireTenant(ctx);
        String id = id(ctx);
        JsonBody body = JsonBody.read(ctx, json, Set.of("state", "message", "machineId"));
        String state = body.requiredString("state");
        if (!state.equals(RestoreRequest.COMPLETED) && !state.equals(RestoreRequest.FAILED)) {
            throw ApiError.badRequest("invalid_state", "state must be 'completed' or 'failed', got '" + state + "'");
        }
        String machine = Access.name("machineId", body.requiredString("machineId"));
        String message = body.string("message").orElse(null);
        if (message != null && message.length() > MAX_MESSAGE) {
            throw JsonBody.invalid("'message' may be at most " + MAX_MESSAGE + " characters");
        }
        RestoreRequest r = requests.finish(tenant, id, state, message, machine);
        log.info("event=restore.{} tenant={} database={} id={} version={} machine={}", state, tenant, r.database(),
                id, r.version(), machine);
        ctx.json(r);
    }

    public void cancel(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        String id = id(ctx);
        RestoreRequest r = requests.cancel(tenant, id, "cancelled by the admin");
        log.info("event=restore.cancelled tenant={} id={}", tenant, id);
        ctx.json(r);
    }

    private Snapshot resolve(String tenant, String database, String requested) {
        if (requested.equals("latest")) {
            return catalog.latest(tenant, database).orElseThrow(() -> ApiError.notFound(
                    "no snapshot of " + tenant + "/" + database + " to restore"));
        }
        SnapshotVersion version = SnapshotDownloads.version(requested);
        return catalog.find(tenant, database, version).orElseThrow(() -> ApiError.notFound(
                "no snapshot " + requested + " of " + tenant + "/" + database));
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("id");
        if (!RestoreRequests.isValidId(id)) {
            throw ApiError.badRequest("invalid_id", "'" + id + "' is not a restore request id (like"
                    + " r20261121T093000123Z-1a2b3c)");
        }
        return id;
    }
}
