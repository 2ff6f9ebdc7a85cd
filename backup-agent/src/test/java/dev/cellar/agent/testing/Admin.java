package dev.cellar.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;

/** What an operator does with the admin token, through the server's HTTP API. */
public final class Admin {
    private final TestServer server;
    private final Api api;

    public Admin(TestServer server) {
        this.server = server;
        this.api = new Api(server);
    }

    /** {@code POST .../databases/{d}/restores}: the new request, pending; {@code machineId} may be null. */
    public JsonNode requestRestore(String tenant, String database, String version, String machineId,
                                   boolean onlyIfMissing) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("version", version)
                .put("onlyIfMissing", onlyIfMissing);
        if (machineId != null) {
            body.put("machineId", machineId);
        }
        return api.expect(202, "POST", tenantPath(tenant) + "/databases/" + database + "/restores",
                server.adminToken(), body.toString());
    }

    public JsonNode restore(String tenant, String id) {
        return api.expect(200, "GET", tenantPath(tenant) + "/restores/" + id, server.adminToken(), null);
    }

    /** Claims request {@code id} as machine {@code machineId}, as another machine's agent would. */
    public JsonNode claim(String tenant, String id, String machineId) {
        return api.expect(200, "POST", tenantPath(tenant) + "/restores/" + id + "/claim", server.adminToken(),
                JsonNodeFactory.instance.objectNode().put("machineId", machineId).toString());
    }

    /** The versions of {@code database}, newest first. */
    public List<String> versions(String tenant, String database) {
        List<String> versions = new ArrayList<>();
        api.expect(200, "GET", tenantPath(tenant) + "/databases/" + database + "/snapshots", server.adminToken(),
                null).get("snapshots").forEach(s -> versions.add(s.get("version").asText()));
        return versions;
    }

    /** {@code POST /api/v1/drills/run?tenant=}: drills every database of {@code tenant} whose newest is undrilled. */
    public JsonNode runDrills(String tenant) {
        return api.expect(200, "POST", "/api/v1/drills/run?tenant=" + tenant, server.adminToken(), null);
    }

    private static String tenantPath(String tenant) {
        return "/api/v1/tenants/" + tenant;
    }
}
