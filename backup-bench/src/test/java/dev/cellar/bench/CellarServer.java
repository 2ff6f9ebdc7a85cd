package dev.cellar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.testing.ProcessSampler;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The server's shaded jar as a process with a capped heap, as it runs in production, its RSS sampled. */
final class CellarServer implements AutoCloseable {
    final URI base;
    final String adminToken;
    final ProcessSampler memory;
    private final Process process;

    private CellarServer(URI base, String adminToken, Process process) {
        this.base = base;
        this.adminToken = adminToken;
        this.process = process;
        this.memory = ProcessSampler.start(process.pid(), 100);
    }

    /** CPU seconds this process has used so far. */
    double cpuSeconds() throws java.io.IOException {
        return Proc.cpuSeconds(process.pid());
    }

    /** Over the bucket ({@code storage} = the S3 variables) or, with an empty map, on local files under dir. */
    static CellarServer start(Path jar, Path dir, String name, Map<String, String> storage) throws Exception {
        return start(jar, dir, name, storage, "256m");
    }

    static CellarServer start(Path jar, Path dir, String name, Map<String, String> storage, String heap)
            throws Exception {
        int port = Proc.freePort();
        Path data = dir.resolve(name + "-data");
        Files.createDirectories(data);
        Map<String, String> env = new HashMap<>(storage);
        env.put("BACKUP_HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        env.put("BACKUP_DATA_DIR", data.toString());
        String admin = "admin-" + UUID.randomUUID();
        env.put("BACKUP_ADMIN_TOKEN", admin);
        env.put("BACKUP_TOKEN_SECRET", "secret-" + UUID.randomUUID() + UUID.randomUUID());
        // room for the 5 GiB upload
        env.put("BACKUP_MAX_SNAPSHOT_BYTES", Long.toString(16L << 30));
        List<String> command = new ArrayList<>(List.of(Proc.java().toString(), "-Xmx" + heap,
                "-XX:+ExitOnOutOfMemoryError"));
        // extra flags for profiling, e.g. -Dbench.serverJvmArgs=-XX:StartFlightRecording=filename={name}.jfr
        String extra = System.getProperty("bench.serverJvmArgs", "").replace("{name}", dir.resolve(name).toString());
        for (String flag : extra.split(" ")) {
            if (!flag.isBlank()) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-jar", jar.toString()));
        Process p = Proc.start(command, env, dir.resolve(name + ".log"));
        CellarServer server = new CellarServer(URI.create("http://127.0.0.1:" + port), admin, p);
        Http.awaitListening(server.base, p, "the server (" + name + ")");
        return server;
    }

    String mintToken(String tenant) throws Exception {
        return Http.json(HttpRequest.newBuilder(base.resolve("/api/v1/tenants/" + tenant + "/tokens"))
                .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.noBody()).build(),
                201).get("token").asText();
    }

    String snapshotsUrl(String tenant, String database) {
        return base + "/api/v1/tenants/" + tenant + "/databases/" + database + "/snapshots";
    }

    /** The newest version the server lists for the database, or null. */
    String latestVersion(String tenant, String database) throws Exception {
        JsonNode list = Http.json(HttpRequest.newBuilder(URI.create(snapshotsUrl(tenant, database) + "?limit=1"))
                .header("Authorization", "Bearer " + adminToken).build(), 200);
        JsonNode items = list.get("snapshots");
        return items.size() == 0 ? null : items.get(0).get("version").asText();
    }

    @Override
    public void close() {
        memory.close();
        Proc.stop(process);
    }
}
