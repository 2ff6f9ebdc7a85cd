package dev.cellar.agent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A command's last step closes the agent's HTTP client, whose selector thread would otherwise hold the JVM's exit
 * for 300 ms. Any HTTP server does for this (the thread belongs to the client): the JDK's own, answering a list.
 */
class HttpClientShutdownTest {
    private static Set<Thread> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().endsWith("SelectorManager")).collect(Collectors.toSet());
    }

    @Test
    void closingTheClientEndsItsSelectorThread() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            byte[] body = "{\"databases\":[{\"database\":\"app\"}]}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            Set<Thread> before = selectorThreads();
            BackupClient client = new BackupClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    "t1", "token", Duration.ofSeconds(10));
            assertEquals(List.of("app"), client.databases());
            List<Thread> mine = selectorThreads().stream().filter(t -> !before.contains(t)).toList();
            assertEquals(1, mine.size(), "the client's selector thread: " + mine);

            client.close();

            mine.get(0).join(10_000);
            assertFalse(mine.get(0).isAlive(), "the selector thread still runs after close");
        } finally {
            server.stop(0);
        }
    }
}
