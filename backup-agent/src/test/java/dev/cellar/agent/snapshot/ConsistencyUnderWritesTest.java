package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.Agent;
import dev.cellar.agent.client.SnapshotInfo;
import dev.cellar.agent.client.SnapshotSelector;
import dev.cellar.agent.testing.AgentFixture;
import dev.cellar.agent.testing.Servers;
import dev.cellar.core.SqliteChecks;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer moves money between accounts in transactions that touch two tables (balances and a transfer log) while
 * several snapshots are taken. Every restored snapshot must be a transaction-consistent cut: the total is unchanged
 * and each account's balance equals its opening balance plus what the log says came in minus what went out.
 */
class ConsistencyUnderWritesTest {
    private static final int ACCOUNTS = 50;
    private static final long OPENING = 10_000;
    private static final int SNAPSHOTS = 4;

    @TempDir
    Path data;
    @TempDir
    Path restores;

    @Test
    void everySnapshotTakenDuringTransfersKeepsTheBooksBalanced() throws Exception {
        Path db = data.resolve("bank.sqlite3");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            s.execute("CREATE TABLE transfers (id INTEGER PRIMARY KEY, from_id INTEGER NOT NULL,"
                    + " to_id INTEGER NOT NULL, amount INTEGER NOT NULL)");
            for (int i = 1; i <= ACCOUNTS; i++) {
                s.execute("INSERT INTO accounts VALUES (" + i + ", " + OPENING + ")");
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> transfers(db, stop, commits));

        try (TestServer server = Servers.start()) {
            Agent agent = AgentFixture.agent(AgentFixture.env(server.baseUri(), "bank", server.mintToken("bank"), data));
            List<SnapshotResult> taken = new ArrayList<>();
            try {
                for (int i = 0; i < SNAPSHOTS; i++) {
                    long seen = commits.get();
                    while (commits.get() < seen + 20) {
                        Thread.sleep(5); // some transfers between one snapshot and the next
                    }
                    SnapshotService.Round round = agent.snapshots().runOnce();
                    assertTrue(round.ok(), round.failures().toString());
                    taken.add(round.results().get(0));
                }
            } finally {
                stop.set(true);
                writer.get(60, TimeUnit.SECONDS); // throws if a transfer failed while a snapshot ran
            }

            List<SnapshotInfo> stored = agent.client().list("bank", 100, Optional.empty()).snapshots();
            assertEquals(SNAPSHOTS, stored.size());
            long previousTransfers = -1;
            for (SnapshotResult snapshot : taken) {
                assertEquals(SnapshotResult.Outcome.UPLOADED, snapshot.outcome());
                Path restored = restores.resolve(snapshot.version().orElseThrow() + ".sqlite3");
                agent.restorer().restore("bank", SnapshotSelector.version(snapshot.version().orElseThrow()), restored,
                        false);
                assertEquals(List.of(), SqliteChecks.integrityCheck(restored));
                long transfers = assertBooksBalance(restored);
                assertTrue(transfers > previousTransfers, "each snapshot holds more transfers than the one before");
                previousTransfers = transfers;
            }
        }
    }

    /** @return how many transfers the database holds */
    private static long assertBooksBalance(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sum(balance), count(*) FROM accounts")) {
                rs.next();
                assertEquals(ACCOUNTS * OPENING, rs.getLong(1), db + ": money appeared or vanished");
                assertEquals(ACCOUNTS, rs.getInt(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT a.id, a.balance, " + OPENING
                    + " + coalesce((SELECT sum(amount) FROM transfers WHERE to_id = a.id), 0)"
                    + " - coalesce((SELECT sum(amount) FROM transfers WHERE from_id = a.id), 0) FROM accounts a")) {
                while (rs.next()) {
                    assertEquals(rs.getLong(3), rs.getLong(2), db + ": account " + rs.getInt(1)
                            + " does not match its transfer log");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM transfers")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void transfers(Path db, AtomicBoolean stop, AtomicLong commits) {
        Random random = new Random(7);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            c.setAutoCommit(false);
            try (PreparedStatement debit = c.prepareStatement("UPDATE accounts SET balance = balance - ? WHERE id = ?");
                 PreparedStatement credit = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
                 PreparedStatement log = c.prepareStatement(
                         "INSERT INTO transfers (from_id, to_id, amount) VALUES (?, ?, ?)")) {
                while (!stop.get()) {
                    int from = 1 + random.nextInt(ACCOUNTS);
                    int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                    long amount = 1 + random.nextInt(500);
                    debit.setLong(1, amount);
                    debit.setInt(2, from);
                    debit.executeUpdate();
                    log.setInt(1, from);
                    log.setInt(2, to);
                    log.setLong(3, amount);
                    log.executeUpdate();
                    credit.setLong(1, amount);
                    credit.setInt(2, to);
                    credit.executeUpdate();
                    c.commit();
                    commits.incrementAndGet();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("a transfer failed", e);
        }
    }
}
