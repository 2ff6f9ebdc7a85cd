package dev.cellar.server.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A real HTTP receiver on 127.0.0.1 and a random port (the JDK's own server) that records what is posted to it:
 * a stand-in for a chat webhook or Sentry that the test reads back. It can answer 500 to the first requests.
 */
final class Receiver implements AutoCloseable {
    private final HttpServer server;
    private final List<String> accepted = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    Receiver(int failFirst) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            String body = new String("gzip".equalsIgnoreCase(encoding) ? gunzip(raw) : raw, StandardCharsets.UTF_8);
            int n = requests.incrementAndGet();
            int status = n <= failFirst ? 500 : 200;
            if (status == 200) {
                synchronized (accepted) {
                    accepted.add(exchange.getRequestURI().getPath() + " " + body);
                    accepted.notifyAll();
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    int requests() {
        return requests.get();
    }

    List<String> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    /** Waits (up to a generous bound) until {@code count} accepted requests match, and returns those. */
    List<String> await(int count, Predicate<String> which) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        synchronized (accepted) {
            while (true) {
                List<String> matching = accepted.stream().filter(which).toList();
                long left = end - System.nanoTime();
                if (matching.size() >= count || left <= 0) {
                    return matching;
                }
                accepted.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private static byte[] gunzip(byte[] raw) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
