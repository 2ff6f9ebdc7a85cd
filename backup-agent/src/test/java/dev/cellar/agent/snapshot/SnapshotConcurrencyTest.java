package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several databases side by side, one snapshot at a time per database, and databases that appear later. */
class SnapshotConcurrencyTest {
    private static TestServer server;
    private static int tenantCounter;

    @TempDir
    Path data;
    private Map<String, String> env;
    private String tenant;

    /** Counts the VACUUMs running per database file and remembers the most that ever ran at once. */
    private final Map<Path, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<Path, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();
    private final AtomicInteger vacuums = new AtomicInteger();
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch release = new CountDownLatch(0);

    @BeforeAll
    static void startServer() throws IOException {
        server = Servers.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void newTenant() {
        tenant = "conc" + (++tenantCounter);
        env = AgentFixture.env(server.baseUri(), tenant, server.mintToken(tenant), data);
    }

    private Agent watchedAgent() {
        return AgentFixture.agent(env, (database, target) -> {
            Path key = database.toAbsolutePath();
            int now = running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            mostAtOnce.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            vacuums.incrementAndGet();
            try {
                entered.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the VACUUM");
                }
                VacuumInto.copy(database, target);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.sql.SQLException("interrupted", e);
            } finally {
                running.get(key).decrementAndGet();
            }
        });
    }

    @Test
    void aSecondRunOfTheSameDatabaseWaitsForTheFirstInsteadOfOverlapping() throws Exception {
        Path db = TestDatabases.create(data.resolve("main.sqlite3"), 200, 1);
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        // two agents, as the daemon and an operator's `backup` would be: they share only the database and its state
        Agent daemon = watchedAgent();
        Agent operator = watchedAgent();

        CompletableFuture<SnapshotService.Round> first = CompletableFuture.supplyAsync(() -> round(daemon));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        CompletableFuture<SnapshotService.Round> second = CompletableFuture.supplyAsync(() -> round(operator));
        Thread.sleep(500); // the second run has had every chance to start its VACUUM
        assertEquals(1, vacuums.get(), "the second run started a VACUUM while the first was in progress");
        release.countDown();

        SnapshotService.Round a = first.get(60, TimeUnit.SECONDS);
        SnapshotService.Round b = second.get(60, TimeUnit.SECONDS);

        assertTrue(a.ok() && b.ok(), a.failures() + " " + b.failures());
        assertEquals(2, vacuums.get());
        assertEquals(1, mostAtOnce.get(db.toAbsolutePath()).get());
        assertEquals(SnapshotResult.Outcome.UPLOADED, a.results().get(0).outcome());
        assertEquals(SnapshotResult.Outcome.UNCHANGED, b.results().get(0).outcome()); // it saw the first's upload
        assertEquals(1, daemon.client().list("main", 10, Optional.empty()).snapshots().size());
    }

    @Test
    void differentDatabasesAreSnapshottedSideBySide() throws Exception {
        TestDatabases.create(data.resolve("production.sqlite3"), 100, 1);
        TestDatabases.create(data.resolve("production_cache.sqlite3"), 100, 2);
        TestDatabases.create(data.resolve("production_queue.sqlite3"), 100, 3);
        entered = new CountDownLatch(2);
        release = new CountDownLatch(1);
        Agent agent = watchedAgent(); // BACKUP_CONCURRENCY defaults to 2

        CompletableFuture<SnapshotService.Round> round = CompletableFuture.supplyAsync(() -> round(agent));
        // both VACUUMs are inside at once: the round did not take the databases one after the other
        assertTrue(entered.await(30, TimeUnit.SECONDS), "two databases were not snapshotted at the same time");
        Thread.sleep(200);
        assertEquals(2, vacuums.get(), "more databases ran at once than BACKUP_CONCURRENCY allows");
        release.countDown();

        SnapshotService.Round r = round.get(60, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.failures().toString());
        assertEquals(List.of("production", "production_cache", "production_queue"),
                r.results().stream().map(x -> x.database().name()).toList());
        mostAtOnce.values().forEach(n -> assertEquals(1, n.get()));
    }

    @Test
    void aDatabaseFileThatAppearsAfterStartIsBackedUpByTheNextRun() throws Exception {
        TestDatabases.create(data.resolve("production.sqlite3"), 50, 1);
        Agent agent = watchedAgent();
        assertEquals(List.of("production"), names(agent.snapshots().runOnce()));

        TestDatabases.create(data.resolve("production_cable.sqlite3"), 50, 2);
        SnapshotService.Round next = agent.snapshots().runOnce();

        assertEquals(List.of("production", "production_cable"), names(next));
        assertEquals(SnapshotResult.Outcome.UNCHANGED, next.results().get(0).outcome());
        assertEquals(SnapshotResult.Outcome.UPLOADED, next.results().get(1).outcome());
        assertEquals(1, agent.client().list("production_cable", 10, Optional.empty()).snapshots().size());
    }

    private static List<String> names(SnapshotService.Round round) {
        return round.results().stream().map(r -> r.database().name()).toList();
    }

    private static SnapshotService.Round round(Agent agent) {
        try {
            return agent.snapshots().runOnce();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
