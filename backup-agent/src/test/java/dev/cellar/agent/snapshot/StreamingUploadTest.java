package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.FaultProxy;
import dev.cellar.agent.testing.FaultProxy.Fault;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent compresses straight into the request body and declares the image's digest before it. */
class StreamingUploadTest {
    private static TestServer server;
    private static FaultProxy proxy;
    @TempDir
    Path data;

    @BeforeAll
    static void startServer() throws Exception {
        server = Servers.start();
        proxy = FaultProxy.start(server.baseUri());
    }

    @AfterAll
    static void stopServer() {
        proxy.close();
        server.close();
    }

    private Agent agent(String tenant) {
        return AgentFixture.agent(AgentFixture.env(proxy.uri(), tenant, server.mintToken(tenant), data));
    }

    private List<FaultProxy.Seen> uploads(String tenant) {
        return proxy.seen().stream().filter(s -> s.request().startsWith("POST /api/v1/tenants/" + tenant + "/"))
                .toList();
    }

    @Test
    void aBackupDeclaresTheImageDigestAndNeverWritesACompressedCopy() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 3000, 1);
        Agent agent = agent("stream1");
        List<String> created = new ArrayList<>();
        SnapshotResult r;
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            data.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            r = agent.snapshots().runOnce().results().get(0);
            // events reach the watch service a little after the fact: wait until none came for half a second
            for (WatchKey key = watch.poll(500, TimeUnit.MILLISECONDS); key != null;
                 key = watch.poll(500, TimeUnit.MILLISECONDS)) {
                for (WatchEvent<?> e : key.pollEvents()) {
                    created.add(String.valueOf(e.context()));
                }
                key.reset();
            }
        }

        assertEquals(SnapshotResult.Outcome.UPLOADED, r.outcome());
        List<String> temps = created.stream().filter(n -> n.endsWith(".tmp")).toList();
        assertEquals(1, temps.size(), "one temp file, the VACUUM INTO image: " + created);
        assertTrue(temps.get(0).endsWith("main.sqlite3.tmp"), temps.toString());
        List<FaultProxy.Seen> uploads = uploads("stream1");
        assertEquals(1, uploads.size());
        assertEquals(Optional.of(r.sha256()), uploads.get(0).header("X-Snapshot-Sha256"));
        assertEquals(Optional.of("application/zstd"), uploads.get(0).header("Content-Type"));
        SnapshotInfo stored = agent.client().list("main", 10, Optional.empty()).snapshots().get(0);
        assertEquals(r.sha256(), stored.sha256());
        assertEquals(stored.storedBytes(), uploads.get(0).bodyBytes(), "the server keeps the body as sent");
    }

    @Test
    void aRetryAfterA503CompressesAndSendsTheWholeBodyAgainAndLandsOnce() throws Exception {
        TestDatabases.create(data.resolve("main.sqlite3"), 3000, 2);
        Agent agent = agent("stream2");
        proxy.enqueue(Fault.status("POST", 503, "0").onPath("/tenants/stream2/"));

        SnapshotResult r = agent.snapshots().runOnce().results().get(0);

        assertEquals(SnapshotResult.Outcome.UPLOADED, r.outcome());
        List<FaultProxy.Seen> uploads = uploads("stream2");
        assertEquals(2, uploads.size());
        List<SnapshotInfo> versions = agent.client().list("main", 10, Optional.empty()).snapshots();
        assertEquals(1, versions.size(), "one version");
        for (FaultProxy.Seen attempt : uploads) {
            assertEquals(versions.get(0).storedBytes(), attempt.bodyBytes(), "each attempt sends the whole body");
            assertEquals(Optional.of(r.sha256()), attempt.header("X-Snapshot-Sha256"));
        }
    }
}
