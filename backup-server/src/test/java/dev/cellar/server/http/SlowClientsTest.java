package dev.cellar.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.RawHttp;
import dev.cellar.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients without credentials that send slowly cannot hold the server's threads. */
class SlowClientsTest {
    /** More than Jetty's 250 threads. */
    private static final int CLIENTS = 300;
    private static final String UPLOAD = "/api/v1/tenants/acme/databases/app/snapshots";
    @TempDir
    Path dir;

    @Test
    void unauthenticatedClientsStallingTheirBodiesGetTheir401AtOnceAndTheServerKeepsAnswering() throws Exception {
        stallingClientsAreAnsweredAtOnce(UPLOAD, 401, "\"unauthorized\"");
    }

    @Test
    void clientsStallingBodiesToAnUnknownPathGetTheir404AtOnce() throws Exception {
        stallingClientsAreAnsweredAtOnce("/api/v1/nothing-here", 404, "\"not_found\"");
    }

    @Test
    void clientsStallingSmallBodiesAreAnsweredAfterABriefWait() throws Exception {
        stallingClientsAreAnsweredAtOnce(UPLOAD, 401, "\"unauthorized\"", 10_000);
    }

    private void stallingClientsAreAnsweredAtOnce(String path, int status, String code) throws Exception {
        stallingClientsAreAnsweredAtOnce(path, status, code, 1_000_000);
    }

    private void stallingClientsAreAnsweredAtOnce(String path, int status, String code, long declared)
            throws Exception {
        try (TestServer server = TestServer.startLocal(dir, Map.of())) {
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    // a body is declared, one byte comes, then nothing: the idle timeout (30 s) is far away
                    clients.add(RawHttp.post(server, path, null, "application/zstd", declared,
                            "x".getBytes(StandardCharsets.US_ASCII)));
                }
                HttpResponse<String> up = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(server.baseUri() + "/up")).timeout(Duration.ofSeconds(15)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, up.statusCode(), "the server answers others while the stalled clients wait");
                for (RawHttp client : clients) {
                    client.readTimeoutMillis(15_000); // well below the idle timeout: a refusal never waits for it
                    RawHttp.Answer answer = client.answer();
                    assertEquals(status, answer.status());
                    assertTrue(answer.body().contains(code), answer.body());
                }
            } finally {
                for (RawHttp client : clients) {
                    client.close();
                }
            }
        }
    }
}
