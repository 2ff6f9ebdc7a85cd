package dev.cellar.server.load;

import dev.cellar.server.testing.ProcessSampler;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as a process of its own with a capped heap, as it runs in production, and a sampler of its resident
 * memory and thread count (from /proc) while the load runs.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final ProcessSampler sampler;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.sampler = ProcessSampler.start(process.pid(), 200);
    }

    static ServerProcess start(Map<String, String> env, String heap, Path log) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), "dev.cellar.server.ServerMain"));
        pb.environment().putAll(env);
        pb.environment().put("PORT", Integer.toString(port));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        ServerProcess server = new ServerProcess(pb.start(), port);
        server.awaitUp();
        return server;
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private void awaitUp() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server process exited with " + process.exitValue());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(baseUri().resolve("/up"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not answer /up within 60 s");
    }

    long peakRssMib() {
        return sampler.peakRssMib();
    }

    long peakThreads() {
        return sampler.peakThreads();
    }

    @Override
    public void close() throws InterruptedException {
        sampler.close();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
