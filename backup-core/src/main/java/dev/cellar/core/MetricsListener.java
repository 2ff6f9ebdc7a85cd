package dev.cellar.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A listener of its own that serves {@code GET /metrics} in the Prometheus text format and nothing else, on the
 * JDK's built-in HTTP server (no dependency, one thread). It asks for no token: it is meant for a port that only the
 * private network reaches, for scrapers that cannot send one. Both the server and the agent use it.
 */
public final class MetricsListener implements AutoCloseable {
    /** The Prometheus text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsListener(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /**
     * Listens on {@code host:port} (port 0: any free port).
     *
     * @param scrape the whole exposition, computed for each request
     * @throws IOException when the address cannot be bound
     */
    public static MetricsListener start(String host, int port, Supplier<String> scrape) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 8);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-listener");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", exchange -> answer(exchange, scrape));
        server.start();
        return new MetricsListener(server, thread);
    }

    private static void answer(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, "application/json", error("not_found", "only /metrics is served on this port"),
                        method);
            } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "application/json", error("method_not_allowed", "use GET /metrics"), method);
            } else {
                send(exchange, 200, CONTENT_TYPE, scrape.get(), method);
            }
        } catch (RuntimeException e) {
            exchange.sendResponseHeaders(500, -1); // the scrape failed: no half exposition
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(method);
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String error(String code, String message) {
        return "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}";
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
