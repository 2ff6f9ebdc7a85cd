package dev.cellar.agent.schedule;

import dev.cellar.agent.log.Kv;
import dev.cellar.agent.snapshot.SnapshotService;
import java.text.ParseException;
import java.util.Date;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SnapshotService#runOnce()} on the configured Quartz cron expression, on one daemon thread of its own,
 * with the rules of the Quartz trigger it replaces (Quartz's scheduler machinery — thread pool, job store, its own
 * scheduler thread — held memory an idle agent does not need for one trigger):
 * <ul>
 * <li>never two rounds at once: the next firing waits for the round in progress;</li>
 * <li>misfires are dropped: a firing later than {@link #MISFIRE_THRESHOLD_MILLIS} (a long round, a paused machine)
 *     is skipped for the next one after now, while a shorter delay fires at once; a machine that was stopped has no
 *     missed runs to catch up on, the shutdown snapshot covered its last changes;</li>
 * <li>{@link #close()} interrupts a round in progress (a retry's wait ends at once) without waiting for it.</li>
 * </ul>
 */
public final class SnapshotScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotScheduler.class);
    /** Quartz's default misfire threshold, which the schedule has always had. */
    static final long MISFIRE_THRESHOLD_MILLIS = 60_000;

    private final CronExpression cron;
    private final Round round;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean stopped; // guarded by lock
    private boolean running; // guarded by lock

    /** One scheduled round: {@link SnapshotService#runOnce()}, which logs its own outcome. */
    @FunctionalInterface
    interface Round {
        void run() throws InterruptedException;
    }

    private SnapshotScheduler(CronExpression cron, Round round, Date first) {
        this.cron = cron;
        this.round = round;
        this.thread = new Thread(() -> loop(first), "cellar-schedule");
        thread.setDaemon(true);
    }

    /**
     * Starts firing {@code cron}.
     *
     * @throws ParseException        when {@code cron} is not a Quartz cron expression
     * @throws IllegalStateException when it never fires again
     */
    public static SnapshotScheduler start(String cron, SnapshotService snapshots) throws ParseException {
        return start(cron, snapshots::runOnce);
    }

    static SnapshotScheduler start(String cron, Round round) throws ParseException {
        CronExpression expression = new CronExpression(cron);
        // as a Quartz trigger starting now computes its first firing: within the current second counts
        Date first = expression.getNextValidTimeAfter(new Date(System.currentTimeMillis() - 1000));
        if (first == null) {
            throw new IllegalStateException("the schedule " + cron + " never fires");
        }
        SnapshotScheduler scheduler = new SnapshotScheduler(expression, round, first);
        scheduler.thread.start();
        LOG.info("event=schedule.started cron={} next={}", Kv.quote(cron), first.toInstant());
        return scheduler;
    }

    private void loop(Date first) {
        Date next = first;
        while (next != null && waitFor(next)) {
            try {
                round.run();
            } catch (InterruptedException e) {
                return; // only close() interrupts a round
            } catch (RuntimeException e) {
                LOG.error("event=snapshot.failed error={}", Kv.quote(e.toString()));
            } finally {
                synchronized (lock) {
                    running = false;
                }
            }
            next = following(cron, next, System.currentTimeMillis());
        }
    }

    /** Waits until {@code fireAt}; true (and the round marked running) unless the schedule was closed meanwhile. */
    private boolean waitFor(Date fireAt) {
        synchronized (lock) {
            while (!stopped) {
                long wait = fireAt.getTime() - System.currentTimeMillis();
                if (wait <= 0) {
                    running = true;
                    return true;
                }
                try {
                    lock.wait(wait);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return false;
        }
    }

    /**
     * The firing after {@code previous} as seen at {@code now}: one that is late by more than the misfire threshold
     * is dropped for the first firing after now; one that is less late is returned as it is (it fires at once).
     */
    static Date following(CronExpression cron, Date previous, long now) {
        Date next = cron.getNextValidTimeAfter(previous);
        if (next != null && next.getTime() < now - MISFIRE_THRESHOLD_MILLIS) {
            return cron.getNextValidTimeAfter(new Date(now));
        }
        return next;
    }

    /**
     * Stops firing and interrupts a snapshot in progress without waiting for it: the shutdown snapshot comes next and
     * waits for that database's lock itself, within the shutdown deadline.
     */
    @Override
    public void close() {
        boolean interrupted;
        synchronized (lock) {
            stopped = true;
            interrupted = running;
            if (running) {
                thread.interrupt(); // under the lock: the round cannot end and the next one begin meanwhile
            }
            lock.notifyAll();
        }
        if (interrupted) {
            LOG.info("event=schedule.snapshot_interrupted reason=\"the agent is shutting down\"");
        }
    }
}
