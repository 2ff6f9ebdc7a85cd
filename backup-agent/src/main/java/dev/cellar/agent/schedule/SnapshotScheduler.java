package dev.cellar.agent.schedule;

import dev.cellar.agent.log.Kv;
import dev.cellar.agent.snapshot.SnapshotService;
import java.util.Date;
import java.util.Properties;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SnapshotJob} on the configured Quartz cron schedule, in memory: a machine that was stopped has no
 * missed runs to catch up on, the shutdown snapshot covered its last changes.
 */
public final class SnapshotScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotScheduler.class);

    private static final JobKey JOB = JobKey.jobKey("snapshot");

    private final Scheduler scheduler;

    private SnapshotScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public static SnapshotScheduler start(String cron, SnapshotService snapshots) throws SchedulerException {
        Properties props = new Properties();
        props.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "cellar-agent");
        props.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.threadPool.threadCount", "1");
        props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        props.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
        scheduler.setJobFactory((bundle, s) -> new SnapshotJob(snapshots));
        JobDetail job = JobBuilder.newJob(SnapshotJob.class).withIdentity(JOB).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity("snapshot-schedule")
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing())
                .build();
        Date first = scheduler.scheduleJob(job, trigger);
        scheduler.start();
        LOG.info("event=schedule.started cron={} next={}", Kv.quote(cron), first.toInstant());
        return new SnapshotScheduler(scheduler);
    }

    /**
     * Stops firing and interrupts a snapshot in progress without waiting for it: the shutdown snapshot comes next and
     * waits for that database's lock itself, within the shutdown deadline.
     */
    @Override
    public void close() {
        try {
            scheduler.standby();
            if (scheduler.interrupt(JOB)) {
                LOG.info("event=schedule.snapshot_interrupted reason=\"the agent is shutting down\"");
            }
            scheduler.shutdown(false);
        } catch (SchedulerException e) {
            LOG.warn("event=schedule.stop_failed error={}", e.toString());
        }
    }
}
