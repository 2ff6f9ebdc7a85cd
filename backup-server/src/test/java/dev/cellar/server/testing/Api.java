package dev.cellar.server.testing;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;

/** JSON calls against a test server, for tests that speak the API rather than test its bytes. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestServer server;

    public Api(TestServer server) {
        this.server = server;
    }

    /** A call and its answer; {@code body} is JSON or null for none. */
    public HttpResponse<byte[]> call(String method, String path, String token, String body) {
        return send(request(server.baseUri(), path, token).header("Content-Type", "application/json")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build());
    }

    /** A call that must answer {@code status}; returns its JSON. */
    public JsonNode expect(int status, String method, String path, String token, String body) {
        HttpResponse<byte[]> r = call(method, path, token, body);
        assertEquals(status, r.statusCode(), method + " " + path + " → " + text(r));
        return json(r);
    }

    public static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uploads a new database of {@code rows} rows (seeded so each call differs) as {@code machine}; returns the
     * version.
     */
    public String upload(String tenant, String database, String token, String machine, Path dir, int rows,
                         long seed) {
        try {
            Path db = TestDatabases.create(dir.resolve(tenant + "-" + database + "-" + seed + ".sqlite3"), rows, seed);
            var builder = request(server.baseUri(), "/api/v1/tenants/" + tenant + "/databases/" + database
                    + "/snapshots", token).header("Content-Type", "application/vnd.sqlite3");
            if (machine != null) {
                builder.header("X-Machine-Id", machine);
            }
            HttpResponse<byte[]> r = send(builder.POST(BodyPublishers.ofFile(db)).build());
            assertEquals(201, r.statusCode(), text(r));
            return json(r).get("version").asText();
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
