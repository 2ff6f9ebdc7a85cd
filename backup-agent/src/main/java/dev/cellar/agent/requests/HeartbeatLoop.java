package dev.cellar.agent.requests;

import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.log.Kv;
import dev.cellar.agent.run.AppRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beside the running app: first applies the requests the boot heartbeat left for the databases present, then sends
 * a heartbeat every {@code BACKUP_HEARTBEAT_INTERVAL} and applies what it returns. A failed heartbeat is logged and
 * the next one tries again; nothing here stops the app.
 */
public final class HeartbeatLoop implements AppRunner.Companion {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatLoop.class);
    /** How long stopping waits (within the shutdown deadline) for a restore in progress before interrupting it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final RestoreRequests requests;
    private final LiveRestore live;
    private final Duration interval;
    private final List<RestoreRequest> atBoot;
    private ScheduledExecutorService executor;

    public HeartbeatLoop(RestoreRequests requests, LiveRestore live, Duration interval, List<RestoreRequest> atBoot) {
        this.requests = requests;
        this.live = live;
        this.interval = interval;
        this.atBoot = atBoot;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cellar-heartbeat");
            t.setDaemon(true);
            return t;
        });
        executor.execute(() -> guarded(() -> live.applyAll(atBoot)));
        executor.scheduleWithFixedDelay(() -> guarded(() -> live.applyAll(requests.heartbeat())),
                interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=heartbeat.started machine={} interval_ms={}", requests.machineId(), interval.toMillis());
    }

    @Override
    public synchronized void stop(Instant deadline) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            Duration left = Duration.between(Instant.now(), deadline);
            long wait = Math.max(0, Math.min(STOP_GRACE.toMillis(), left.toMillis()));
            if (!executor.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The final heartbeat: this machine stops on purpose. Skipped when the shutdown deadline has no time left. */
    @Override
    public void finish(Duration budget) {
        if (budget.isZero() || budget.isNegative()) {
            LOG.warn("event=heartbeat.final_skipped machine={} reason=\"the shutdown deadline has passed\"",
                    requests.machineId());
            return;
        }
        requests.finalHeartbeat(budget);
    }

    private interface Step {
        void run() throws Exception;
    }

    /** A scheduled task that throws is never run again: every failure ends here. */
    private static void guarded(Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("event=heartbeat.failed error={} consequence=\"the app runs on; the next heartbeat tries again\"",
                    Kv.quote(BootRequests.describe(e)));
        }
    }
}
