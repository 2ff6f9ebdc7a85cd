package dev.cellar.server.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.Hex;
import dev.cellar.server.testing.ProcessSampler;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.ServerProcess;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of simulated agents (real HTTP, real SQLite images of three sizes, many tenants) upload against one
 * server process with {@code -Xmx256m} over S3Proxy for a bounded time, while a slow population trickles bodies
 * (half without credentials). Then every acknowledged version is downloaded and its digest compared. Not part of
 * {@code mvn verify}: run it with the command in docs/RELIABILITY.md ("Load"); it prints and writes its figures.
 */
@Tag("load")
class LoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SECONDS = Integer.getInteger("load.seconds", 120);
    private static final int AGENTS = Integer.getInteger("load.agents", 200);
    private static final int TENANTS = Integer.getInteger("load.tenants", 20);
    private static final int SLOW = Integer.getInteger("load.slowClients", 20);
    @TempDir
    Path dir;

    private record Ack(String tenant, String database, String version, String sha256) {
    }

    @Test
    void everyAcknowledgedSnapshotIsIntactNoServerErrorsAndEveryTenantIsServed() throws Exception {
        List<byte[]> images = List.of( // small, medium, large: ~60 KiB, ~1.2 MiB, ~8 MiB
                Files.readAllBytes(TestDatabases.create(dir.resolve("s.db"), 300, 1)),
                Files.readAllBytes(TestDatabases.create(dir.resolve("m.db"), 6_000, 2)),
                Files.readAllBytes(TestDatabases.create(dir.resolve("l.db"), 40_000, 3)));
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            Map<String, String> env = TestServer.s3Env(s3, Map.of());
            // the server as in production: its own JVM with -Xmx256m; its memory and threads sampled from /proc
            try (ServerProcess server = ServerProcess.start(env, Path.of("target", "load-server.log"));
                 ProcessSampler sampler = ProcessSampler.start(server.pid(), 200)) {
                new Run(server.baseUri(), env.get("BACKUP_ADMIN_TOKEN"), images).go(sampler);
            }
        }
    }

    /** One load run: its agents, its slow clients and what they saw. */
    private static final class Run {
        private final URI base;
        private final String admin;
        private final List<byte[]> images;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final Map<String, String> tokens = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Long> ackMillis = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        private final Map<String, AtomicLong> perTenant = new ConcurrentHashMap<>();
        private final AtomicLong busy = new AtomicLong();
        /** Uploads whose connection the server closed before the client had sent the whole body and read an answer. */
        private final AtomicLong closed = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();

        Run(URI base, String admin, List<byte[]> images) {
            this.base = base;
            this.admin = admin;
            this.images = images;
        }

        void go(ProcessSampler sampler) throws Exception {
            for (int t = 0; t < TENANTS; t++) {
                tokens.put(tenant(t), mint(tenant(t)));
                perTenant.put(tenant(t), new AtomicLong());
            }
            String slowToken = mint("slow");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            ExecutorService pool = Executors.newFixedThreadPool(AGENTS + SLOW);
            for (int i = 0; i < SLOW; i++) {
                String token = i % 2 == 0 ? slowToken : null;
                pool.submit(() -> trickle(token, end));
            }
            for (int a = 0; a < AGENTS; a++) {
                int agent = a;
                pool.submit(() -> agent(agent, end));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(SECONDS + 300, TimeUnit.SECONDS), "the agents did not stop");
            long lost = verify();
            report(sampler, lost);
            assertEquals(0, lost, "acknowledged snapshots that did not come back intact");
            assertTrue(unexpected.isEmpty(), "answers other than 201 and 503 busy: " + unexpected);
            // judged on counts, not on speed: enough uploads must have landed for shares to mean anything
            assertTrue(acks.size() >= 5L * TENANTS, "only " + acks.size() + " uploads acknowledged for " + TENANTS
                    + " tenants: the slow clients starve everyone, or the run is too short to judge (load.seconds)");
            assertTrue(jain() >= 0.5, "unfair shares across tenants: Jain index " + jain() + " " + perTenant);
        }

        private static String tenant(int t) {
            return "tenant-" + t;
        }

        /** An agent: uploads a new version of its database again and again; backs off on 503 busy. */
        private void agent(int agent, long end) {
            String tenant = tenant(agent % TENANTS);
            String database = "db-" + agent;
            byte[] image = images.get(agent % 10 == 0 ? 2 : agent % 10 <= 3 ? 1 : 0).clone();
            int round = 0;
            while (System.nanoTime() < end) {
                stamp(image, agent * 100_000 + ++round);
                String sha = Hex.of(Hex.sha256().digest(image));
                byte[] body = zstd(image);
                long started = System.nanoTime();
                try {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve(
                                    "/api/v1/tenants/" + tenant + "/databases/" + database + "/snapshots"))
                            .header("Authorization", "Bearer " + tokens.get(tenant))
                            .header("Content-Type", "application/zstd")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() == 201) {
                        ackMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                        acks.add(new Ack(tenant, database, JSON.readTree(r.body()).get("version").asText(), sha));
                        perTenant.get(tenant).incrementAndGet();
                        bytes.addAndGet(image.length);
                    } else if (r.statusCode() == 503 && new String(r.body(), StandardCharsets.UTF_8).contains("busy")) {
                        busy.incrementAndGet();
                        Thread.sleep(500); // a real agent waits Retry-After; shorter keeps the pressure on
                    } else {
                        unexpected.add(r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException e) {
                    closed.incrementAndGet(); // an agent retries these like a 503
                } catch (Exception e) {
                    unexpected.add(e.toString());
                }
            }
        }

        /** The body as the agent sends it: zstd, compressed on the agent's side. */
        private static byte[] zstd(byte[] image) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(image.length / 2);
            try (OutputStream z = dev.cellar.core.Zstd.compress(out, 1, 0)) {
                z.write(image);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        /** Sets the change counter and its "version-valid-for" twin: a different, still valid image. */
        private static void stamp(byte[] image, int counter) {
            for (int at : new int[] {24, 92}) {
                image[at] = (byte) (counter >>> 24);
                image[at + 1] = (byte) (counter >>> 16);
                image[at + 2] = (byte) (counter >>> 8);
                image[at + 3] = (byte) counter;
            }
        }

        /** A slow client: announces a 1 MiB upload and sends one byte a second until the run ends. */
        private void trickle(String token, long end) {
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/v1/tenants/slow/databases/db/snapshots HTTP/1.1\r\nHost: x\r\n"
                        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                        + "Content-Type: application/vnd.sqlite3\r\nContent-Length: 1048576\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                while (System.nanoTime() < end) {
                    out.write('S');
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (Exception e) {
                // the server may close a slow connection: that is its right
            }
        }

        /** Downloads every acknowledged version; returns how many are missing or differ. */
        private long verify() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicLong lost = new AtomicLong();
            for (Ack a : List.copyOf(acks)) {
                pool.submit(() -> {
                    try {
                        // plain downloads are capped (BACKUP_MAX_PLAIN_DOWNLOADS): a 503 busy is waited out
                        HttpResponse<InputStream> r;
                        MessageDigest sha;
                        int tries = 0;
                        do {
                            if (tries++ > 0) {
                                Thread.sleep(1000);
                            }
                            r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/tenants/" + a.tenant()
                                            + "/databases/" + a.database() + "/snapshots/" + a.version()))
                                    .header("Authorization", "Bearer " + admin)
                                    .header("Accept", "application/vnd.sqlite3").build(),
                                    HttpResponse.BodyHandlers.ofInputStream());
                            sha = Hex.sha256();
                            try (InputStream in = r.body()) {
                                in.transferTo(new java.security.DigestOutputStream(OutputStream.nullOutputStream(),
                                        sha));
                            }
                        } while (r.statusCode() == 503 && tries < 120);
                        if (r.statusCode() != 200 || !Hex.of(sha.digest()).equals(a.sha256())) {
                            lost.incrementAndGet();
                            unexpected.add("download of " + a + ": " + r.statusCode());
                        }
                    } catch (Exception e) {
                        lost.incrementAndGet();
                        unexpected.add("download of " + a + ": " + e);
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.MINUTES), "verification did not finish");
            return lost.get();
        }

        private void report(ProcessSampler sampler, long lost) throws Exception {
            List<Long> ms = new ArrayList<>(ackMillis);
            Collections.sort(ms);
            long min = perTenant.values().stream().mapToLong(AtomicLong::get).min().orElse(0);
            long max = perTenant.values().stream().mapToLong(AtomicLong::get).max().orElse(0);
            String text = String.format(java.util.Locale.ROOT, """
                    load: %d agents, %d tenants, %d slow clients, %d s, server -Xmx256m over S3Proxy
                    acknowledged uploads: %d (%.1f/s, %.1f MiB/s of images), 503 busy: %d, closed early: %d, \
                    unexpected: %d, lost: %d
                    upload latency (acknowledged): p50 %d ms, p99 %d ms, max %d ms
                    per tenant acknowledged: min %d, max %d, Jain fairness %.3f
                    server peak RSS %d MiB, peak threads %d
                    """, AGENTS, TENANTS, SLOW, SECONDS, ms.size(), ms.size() / (double) SECONDS,
                    bytes.get() / 1048576.0 / SECONDS, busy.get(), closed.get(), unexpected.size(), lost,
                    pct(ms, 50), pct(ms, 99), ms.isEmpty() ? 0 : ms.get(ms.size() - 1), min, max,
                    jain(), sampler.peakRssMib(), sampler.peakThreads());
            System.out.print(text);
            Files.writeString(Path.of("target", "load-report.txt"), text);
        }

        /** Jain's fairness index of acknowledged uploads per tenant: 1 is equal shares, 1/n is one tenant only. */
        private double jain() {
            double sum = perTenant.values().stream().mapToDouble(AtomicLong::get).sum();
            double squares = perTenant.values().stream().mapToDouble(n -> (double) n.get() * n.get()).sum();
            return squares == 0 ? 0 : sum * sum / (perTenant.size() * squares);
        }

        private static long pct(List<Long> sorted, int p) {
            return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
        }

        private String mint(String tenant) throws Exception {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/tenants/" + tenant
                    + "/tokens")).header("Authorization", "Bearer " + admin)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(201, r.statusCode());
            return JSON.readTree(r.body()).get("token").asText();
        }
    }
}
