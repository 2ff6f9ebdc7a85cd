package dev.cellar.bench;

import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Section 3: server ingest — the body the agent sends (the image in zstd, its digest declared) POSTed with curl
 * to the server over the bucket and to the server on local files — against a plain signed PUT of the same body
 * straight to the bucket (S3Proxy's filesystem store: a PUT that ends as a local file).
 */
final class IngestBench {
    private final Rig rig;

    IngestBench(Rig rig) {
        this.rig = rig;
    }

    /** The agent's upload body for {@code db}: zstd level 3, and the image's SHA-256. */
    record Body(Path file, String imageSha256) {
        static Body of(Path db, Path file) throws Exception {
            MessageDigest sha = Hex.sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(db), sha);
                 OutputStream out = Zstd.compress(Files.newOutputStream(file), 3, Zstd.defaultWorkers())) {
                in.transferTo(out);
            }
            return new Body(file, Hex.of(sha.digest()));
        }
    }

    void run(long size, Path db) throws Exception {
        String label = BenchConfig.label(size);
        String tag = label.replace(" ", "");
        if (!Proc.onPath("curl")) {
            rig.report().line("_ingest " + label + ": needs curl, missing on this machine; skipped._");
            return;
        }
        Body body = Body.of(db, rig.dir().resolve("ingest-" + tag + ".zst"));
        String tenant = "ingest";
        String s3Token = rig.server().mintToken(tenant);
        String localToken = rig.localServer().mintToken(tenant);
        List<Double> s3 = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        List<Double> put = new ArrayList<>();
        Path log = rig.dir().resolve("ingest.log");
        // one untimed round first: a server in service has its code compiled, the bucket has served requests; the
        // first upload into a fresh JVM measures the JIT, not the ingest
        Proc.run(post(rig.server(), s3Token, tenant, "ingest-" + tag + "-warm", body), java.util.Map.of(), log);
        Proc.run(put(rig.s3().curl("plain/" + tag + "-warm"), body), java.util.Map.of(), log);
        Proc.run(post(rig.localServer(), localToken, tenant, "ingest-" + tag + "-warm", body), java.util.Map.of(), log);
        for (int i = 0; i < rig.config().runs(); i++) {
            String database = "ingest-" + tag + "-" + i; // a database of its own each time: never "unchanged"
            s3.add(Proc.run(post(rig.server(), s3Token, tenant, database, body), java.util.Map.of(), log));
            put.add(Proc.run(put(rig.s3().curl("plain/" + tag + "-" + i), body), java.util.Map.of(), log));
            local.add(Proc.run(post(rig.localServer(), localToken, tenant, database, body), java.util.Map.of(), log));
        }
        long bodyMib = Files.size(body.file()) / 1048576;
        Files.delete(body.file());
        Report r = rig.report();
        r.heading("Server ingest, " + label + " database (its zstd body: " + bodyMib + " MiB; seconds)");
        r.tableHeader();
        r.compare("POST to the server over S3, vs plain PUT to the bucket", Stats.of(s3), Stats.of(put), "s", 1.2);
        r.compare("POST to the server on local files, vs the same plain PUT", Stats.of(local), Stats.of(put), "s",
                1.2);
    }

    private static List<String> post(CellarServer server, String token, String tenant, String database, Body body) {
        return List.of("curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST", "-H", "Authorization: Bearer " + token,
                "-H", "Content-Type: application/zstd", "-H", "X-Snapshot-Sha256: " + body.imageSha256(),
                "-T", body.file().toString(), server.snapshotsUrl(tenant, database));
    }

    private static List<String> put(List<String> curl, Body body) {
        List<String> c = new ArrayList<>(curl);
        c.addAll(List.of("-o", "/dev/null", "-T", body.file().toString()));
        return c;
    }
}
