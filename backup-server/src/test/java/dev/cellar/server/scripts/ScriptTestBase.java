package dev.cellar.server.scripts;


import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** What the script tests share: a real server, a stand-in fly in a work directory, and API helpers. */
abstract class ScriptTestBase {
    static TestServer server;
    static Api api;
    private static int tenantCount;

    @TempDir
    Path work;
    ScriptRunner scripts;

    @BeforeAll
    static void startServer(@TempDir Path data) {
        server = TestServer.startLocal(data, Map.of());
        api = new Api(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void runner() {
        scripts = new ScriptRunner(work, server.baseUri().toString(), server.adminToken());
    }

    static JsonNode post(String path, String token, String body) {
        return api.expect(200, "POST", path, token, body);
    }

    static JsonNode restores(String tenant) {
        return api.expect(200, "GET", "/api/v1/tenants/" + tenant + "/restores", server.adminToken(), null)
                .path("restores");
    }

    static synchronized String newTenant() {
        return "scripts-" + (++tenantCount);
    }

    /** Uploads {@code count} different databases as machine m1; returns their versions, oldest first. */
    List<String> uploadVersions(String tenant, String database, int count, String token) {
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            versions.add(api.upload(tenant, database, token, "m1", work, 20, 100 + i));
        }
        return versions;
    }
}
