package dev.cellar.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.cli.ExitCodes;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppRunnerTest {
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @TempDir
    Path data;

    @Test
    void terminationSignalStopsTheAppThenTheLastSnapshotIsTaken() throws Exception {
        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t1", server.mintToken("t1"), data));
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);
            Path started = data.resolve("started");
            AppRunner runner = new AppRunner(agent.snapshots(), NEVER, true, Duration.ofMinutes(1));

            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return runner.run(List.of("sh", "-c", "touch '" + started + "'; exec sleep 600"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (!Files.exists(started)) {
                Thread.sleep(20);
            }
            runner.stop("TERM");

            assertEquals(128 + 15, status.get(60, TimeUnit.SECONDS)); // the app died of SIGTERM
            assertEquals(1, agent.client().list("main", 10, Optional.empty()).snapshots().size());
        }
    }

    @Test
    void withoutAnAppTheAgentRunsUntilStoppedAndSnapshotsOnTheWayOut() throws Exception {
        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t2", server.mintToken("t2"), data));
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);
            AppRunner runner = new AppRunner(agent.snapshots(), NEVER, true, Duration.ofMinutes(1));
            runner.stop("INT"); // before run(): a signal that arrives early must not be lost

            assertEquals(0, runner.run(List.of()));
            assertTrue(agent.client().list("main", 10, Optional.empty()).snapshots().size() == 1);
        }
    }

    @Test
    void theLastSnapshotIsBoundedByTheShutdownTimeout() throws Exception {
        try (TestServer server = Servers.start()) {
            CountDownLatch stuck = new CountDownLatch(1);
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t3", server.mintToken("t3"), data),
                    (db, target) -> {
                        try {
                            stuck.await(); // a snapshot that would outlast the platform's patience
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);
            AppRunner runner = new AppRunner(agent.snapshots(), NEVER, true, Duration.ofMillis(300));
            runner.stop("TERM");

            long start = System.nanoTime();
            assertEquals(ExitCodes.FAILED, runner.run(List.of()));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            stuck.countDown();
        }
    }

    @Test
    void theLastSnapshotUploadsOnlyWhenTheDatabaseChanged() throws Exception {
        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "t4", server.mintToken("t4"), data));
            Path db = TestDatabases.create(data.resolve("main.sqlite3"), 50, 1);
            agent.snapshots().runOnce();

            AppRunner unchanged = new AppRunner(agent.snapshots(), NEVER, true, Duration.ofMinutes(1));
            assertEquals(0, unchanged.run(List.of("true")));
            assertEquals(1, agent.client().list("main", 10, Optional.empty()).snapshots().size());

            AppRunner changed = new AppRunner(agent.snapshots(), NEVER, true, Duration.ofMinutes(1));
            assertEquals(0, changed.run(List.of("sqlite3", db.toString(), "INSERT INTO items (name) VALUES ('late')")));
            assertEquals(2, agent.client().list("main", 10, Optional.empty()).snapshots().size());
        }
    }

    @Test
    void theFinalHeartbeatToAServerThatNeverAnswersStillFitsTheShutdownDeadline() throws Exception {
        // a server that accepts connections and never says a word
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Agent agent = AgentFixture.agent(AgentFixture.env(java.net.URI.create("http://127.0.0.1:"
                    + silent.getLocalPort()), "t9", "cellar.t9.0.nonce.signature", data));
            Duration timeout = Duration.ofSeconds(2);
            List<Duration> budgets = new java.util.concurrent.CopyOnWriteArrayList<>();
            AppRunner runner = new AppRunner(agent.snapshots(), NEVER, false, timeout)
                    .alongside(new AppRunner.Companion() {
                        @Override
                        public void start() {
                        }

                        @Override
                        public void stop(java.time.Instant deadline) {
                        }

                        @Override
                        public void finish(Duration budget) {
                            budgets.add(budget);
                            agent.restoreRequests().orElseThrow().finalHeartbeat(budget);
                        }
                    });
            runner.stop("TERM");
            long start = System.nanoTime();
            runner.run(List.of());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(1, budgets.size());
            assertTrue(budgets.get(0).compareTo(timeout) <= 0 && !budgets.get(0).isZero(), budgets.toString());
            // an upper bound with a wide margin: one attempt, no retries (three of 10 s each would take 30 s)
            assertTrue(took.compareTo(timeout.plusSeconds(5)) < 0, "took " + took);
        }
    }
}
