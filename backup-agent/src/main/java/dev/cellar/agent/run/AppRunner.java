package dev.cellar.agent.run;

import dev.cellar.agent.cli.ExitCodes;
import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.schedule.SnapshotScheduler;
import dev.cellar.agent.snapshot.SnapshotService;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tenant app as a child process while snapshots run on schedule. SIGTERM and SIGINT go on to the app;
 * when it has exited (on a signal or by itself) the schedule stops and a last snapshot is taken, so that the
 * snapshot holds everything the app wrote (a database unchanged since its last upload costs no upload). That last
 * snapshot is bounded by one deadline, {@code BACKUP_SHUTDOWN_TIMEOUT} from the signal (or from the app's own exit):
 * the companions, the scheduled snapshot (interrupted), every retry and the last snapshot all end by then, so that
 * the agent exits before the platform kills it (Fly's {@code kill_timeout}). The exit status is the app's.
 */
public final class AppRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AppRunner.class);
    /** Variables of the agent that the app never sees. */
    static final List<String> SECRETS = List.of(AgentConfigLoader.TOKEN);
    private static final Duration FINISH_RESERVE = Duration.ofSeconds(3);

    private final SnapshotService snapshots;
    private final String cron;
    private final boolean snapshotOnShutdown;
    private final Duration shutdownTimeout;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final List<Companion> companions = new ArrayList<>();
    private final Consumer<Instant> shutdownBegins;
    private volatile Process app;
    private Instant deadline;

    /** Something that runs beside the app: started once the app has started, stopped once it has exited. */
    public interface Companion {
        void start();

        /** Stops, by {@code deadline} at the latest. */
        void stop(Instant deadline);

        /** After the last snapshot, with what is left of the shutdown deadline. */
        default void finish(Duration budget) {
        }
    }

    /** The part of the shutdown deadline kept for the companions' {@link Companion#finish}: the final heartbeat. */
    static Duration finishReserve(Duration shutdownTimeout) {
        Duration quarter = shutdownTimeout.dividedBy(4);
        return quarter.compareTo(FINISH_RESERVE) < 0 ? quarter : FINISH_RESERVE;
    }

    public AppRunner(SnapshotService snapshots, String cron, boolean snapshotOnShutdown, Duration shutdownTimeout) {
        this(snapshots, cron, snapshotOnShutdown, shutdownTimeout, deadline -> { });
    }

    /** @param shutdownBegins told the deadline once, as shutdown begins (the retrier stops retrying past it) */
    public AppRunner(SnapshotService snapshots, String cron, boolean snapshotOnShutdown, Duration shutdownTimeout,
                     Consumer<Instant> shutdownBegins) {
        this.snapshots = snapshots;
        this.shutdownTimeout = shutdownTimeout;
        this.cron = cron;
        this.snapshotOnShutdown = snapshotOnShutdown;
        this.shutdownBegins = shutdownBegins;
    }

    /** The one deadline of the shutdown, fixed when it begins: at the first signal, or when the app exits. */
    private synchronized Instant beginShutdown() {
        if (deadline == null) {
            deadline = Instant.now().plus(shutdownTimeout);
            shutdownBegins.accept(deadline);
        }
        return deadline;
    }

    /** Adds {@code companion}, to run beside the app. */
    public AppRunner alongside(Companion companion) {
        companions.add(companion);
        return this;
    }

    /**
     * Runs {@code command} (or, when it is empty, only the schedule until {@link #stop} is called).
     *
     * @return the app's exit status, or without an app the status of the last snapshot
     */
    public int run(List<String> command) throws Exception {
        int status;
        SnapshotScheduler schedule = SnapshotScheduler.start(cron, snapshots);
        try {
            if (command.isEmpty()) {
                companions.forEach(Companion::start);
                stopRequested.await();
                status = ExitCodes.OK;
            } else {
                app = childProcess(command).start();
                LOG.info("event=app.started pid={} command={}", app.pid(), command.get(0));
                if (stopRequested.getCount() == 0) {
                    app.destroy(); // a signal arrived while the app was starting
                }
                companions.forEach(Companion::start);
                status = app.waitFor();
                LOG.info("event=app.exited status={}", status);
            }
        } finally {
            Instant by = beginShutdown();
            schedule.close(); // interrupts a scheduled snapshot: the last one waits for its database's lock
            companions.forEach(c -> c.stop(by));
        }
        Duration reserve = companions.isEmpty() ? Duration.ZERO : finishReserve(shutdownTimeout);
        if (snapshotOnShutdown) {
            Optional<SnapshotService.Round> round = lastRound(beginShutdown().minus(reserve));
            if (command.isEmpty() && round.isEmpty()) {
                status = ExitCodes.FAILED;
            } else if (command.isEmpty() && !round.get().ok()) {
                status = round.get().failures().values().stream()
                        .allMatch(e -> e instanceof ServerUnavailableException)
                        ? ExitCodes.SERVER_UNAVAILABLE : ExitCodes.FAILED;
            }
        }
        Duration rest = Duration.between(Instant.now(), beginShutdown());
        Duration left = rest.isNegative() ? Duration.ZERO : rest;
        companions.forEach(c -> c.finish(left));
        return status;
    }

    /** The last snapshot round, or empty when it did not finish by {@code deadline} (it is then stopped). */
    private Optional<SnapshotService.Round> lastRound(Instant deadline) throws InterruptedException {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cellar-last-snapshot");
            t.setDaemon(true);
            return t;
        });
        Future<SnapshotService.Round> round = one.submit(() -> snapshots.runOnce());
        try {
            long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            return Optional.of(round.get(left, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            LOG.error("event=snapshot.shutdown_timeout timeout_ms={} hint=\"raise BACKUP_SHUTDOWN_TIMEOUT and the"
                    + " platform's kill timeout (fly.toml kill_timeout) together\"", shutdownTimeout.toMillis());
            round.cancel(true);
            return Optional.empty();
        } catch (ExecutionException e) {
            LOG.error("event=snapshot.failed error={}", e.getCause().toString());
            return Optional.empty();
        } finally {
            one.shutdownNow();
        }
    }

    /**
     * The app's process: the agent's own environment without its secret. The tenant token lets its holder upload a
     * "latest" snapshot; an app that is compromised must not be able to read it from its environment.
     */
    static ProcessBuilder childProcess(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        SECRETS.forEach(builder.environment()::remove);
        return builder;
    }

    /** Passes {@code signal} (TERM, INT) on to the app, or ends a run without an app. */
    public void stop(String signal) {
        LOG.info("event=agent.signal signal={} shutdown_timeout_ms={}", signal, shutdownTimeout.toMillis());
        beginShutdown();
        stopRequested.countDown();
        Process p = app;
        if (p != null && p.isAlive()) {
            forward(p, signal);
        }
    }

    private static void forward(Process p, String signal) {
        // Process.destroy() can only send TERM; kill(1) keeps INT an INT for apps that treat them differently
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            if (kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // no kill(1) in this image
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroy();
    }
}
