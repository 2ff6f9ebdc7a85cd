package dev.cellar.agent.e2e;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an operator does with the admin token, through the server's HTTP API. */
final class Admin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestServer server;

    Admin(TestServer server) {
        this.server = server;
    }

    /** {@code POST .../databases/{d}/restores}: the new request, pending. */
    Map<String, Object> requestRestore(String tenant, String database, String version, String machineId,
                                       boolean onlyIfMissing) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        if (machineId != null) {
            body.put("machineId", machineId);
        }
        body.put("onlyIfMissing", onlyIfMissing);
        return send(202, Http.request(server.baseUri(), "/api/v1/tenants/" + tenant + "/databases/" + database
                + "/restores", server.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    Map<String, Object> restore(String tenant, String id) {
        return send(200, Http.request(server.baseUri(), "/api/v1/tenants/" + tenant + "/restores/" + id,
                server.adminToken()).GET());
    }

    /** The versions of {@code database}, newest first. */
    @SuppressWarnings("unchecked")
    List<String> versions(String tenant, String database) {
        Map<String, Object> page = send(200, Http.request(server.baseUri(), "/api/v1/tenants/" + tenant
                + "/databases/" + database + "/snapshots", server.adminToken()).GET());
        return ((List<Map<String, Object>>) page.get("snapshots")).stream().map(s -> (String) s.get("version"))
                .toList();
    }

    private static Map<String, Object> send(int expected, HttpRequest.Builder request) {
        HttpResponse<byte[]> response = Http.send(request.build());
        if (response.statusCode() != expected) {
            throw new AssertionError(request.build().method() + " " + request.build().uri() + " answered "
                    + response.statusCode() + ": " + Http.text(response));
        }
        try {
            return JSON.readValue(response.body(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
