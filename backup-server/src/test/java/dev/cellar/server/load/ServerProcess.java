package dev.cellar.server.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server as a process of its own with a capped heap, as it runs in production, and a sampler of its resident
 * memory and thread count (from /proc) while the load runs.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong peakRssKib = new AtomicLong();
    private final AtomicLong peakThreads = new AtomicLong();

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        sampler.scheduleAtFixedRate(this::sample, 0, 200, TimeUnit.MILLISECONDS);
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

    private void sample() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    peakRssKib.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                } else if (line.startsWith("Threads:")) {
                    peakThreads.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or /proc is not there: the peaks keep what was seen
        }
    }

    long peakRssMib() {
        return peakRssKib.get() / 1024;
    }

    long peakThreads() {
        return peakThreads.get();
    }

    @Override
    public void close() throws InterruptedException {
        sampler.shutdownNow();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
