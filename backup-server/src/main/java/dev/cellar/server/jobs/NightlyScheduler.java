package dev.cellar.server.jobs;

import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz firing the nightly chain on a cron schedule in UTC. Without a database it keeps its trigger in memory;
 * with one ({@code BACKUP_DB_URL}) it uses Quartz's clustered JDBC job store, so each firing runs on exactly one
 * instance and the others take over the schedule when one stops or dies.
 */
public final class NightlyScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NightlyScheduler.class);
    /** One cluster: every instance over the same database shares this name. */
    static final String NAME = "cellar";
    private static final JobKey JOB = JobKey.jobKey("nightly", NAME);
    private static final TriggerKey TRIGGER = TriggerKey.triggerKey("nightly", NAME);
    /** Quartz's factory keeps schedulers in a JVM-wide registry by name: creation and removal go together. */
    private static final Object FACTORY = new Object();
    private final Scheduler quartz;
    private final SchedulerSettings settings;

    private NightlyScheduler(Scheduler quartz, SchedulerSettings settings) {
        this.quartz = quartz;
        this.settings = settings;
    }

    /** Schedules the chain of {@code runner} and starts firing it. */
    public static NightlyScheduler start(SchedulerSettings settings, JobRunner runner) {
        try {
            Scheduler quartz = create(settings);
            quartz.getContext().put(ChainFiring.RUNNER, runner);
            schedule(quartz, settings.cron());
            quartz.start();
            NightlyScheduler scheduler = new NightlyScheduler(quartz, settings);
            log.info("event=scheduler.started cron=\"{}\" timeZone=UTC store={} instance={} nextFireAt={}",
                    settings.cron(), settings.database().map(JobDatabase::describe).orElse("memory"),
                    settings.instanceId(), scheduler.nextFireAt().orElse(null));
            return scheduler;
        } catch (SchedulerException e) {
            throw new JobStoreException("cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    private static Scheduler create(SchedulerSettings settings) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", NAME);
        p.setProperty("org.quartz.scheduler.instanceId", settings.instanceId());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        // how long an idle instance sleeps before it looks for due firings again; the default 30 s slows takeover
        p.setProperty("org.quartz.scheduler.idleWaitTime", "5000");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        if (settings.database().isPresent()) {
            String dataSource = "cellar-" + UUID.randomUUID(); // several schedulers may share one JVM (tests)
            JobStoreDatabase.open(settings.database().get(), dataSource, 3);
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass",
                    "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", dataSource);
            p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        synchronized (FACTORY) {
            Scheduler quartz = new StdSchedulerFactory(p).getScheduler();
            // unregistered, so that the next server in this JVM gets a scheduler of its own, not this one
            SchedulerRepository.getInstance().remove(NAME);
            return quartz;
        }
    }

    /** Keeps a stored trigger with the same cron (another instance made it); replaces one with another cron. */
    private static void schedule(Scheduler quartz, String cron) throws SchedulerException {
        Trigger existing = quartz.getTrigger(TRIGGER);
        if (existing instanceof CronTrigger c && c.getCronExpression().equals(cron)
                && c.getTimeZone().getID().equals("UTC")) {
            return;
        }
        JobDetail job = JobBuilder.newJob(ChainFiring.class).withIdentity(JOB).storeDurably()
                .requestRecovery() // a chain cut short by a dead instance runs again elsewhere; jobs are idempotent
                .build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(TRIGGER).forJob(JOB)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone("UTC"))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        quartz.scheduleJob(job, Set.of(trigger), true);
    }

    public SchedulerSettings settings() {
        return settings;
    }

    /** When the chain fires next; empty when the scheduler cannot tell (its database is unreachable, say). */
    public Optional<Instant> nextFireAt() {
        try {
            Trigger t = quartz.getTrigger(TRIGGER);
            return t == null || t.getNextFireTime() == null ? Optional.empty()
                    : Optional.of(t.getNextFireTime().toInstant());
        } catch (SchedulerException e) {
            log.warn("event=scheduler.unreadable error=\"{}\"", e.getMessage());
            return Optional.empty();
        }
    }

    /** Stops firing; waits for a running chain to finish its current job, so no run is left half-recorded. */
    @Override
    public void close() {
        try {
            quartz.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("event=scheduler.stop_failed error=\"{}\"", e.getMessage());
        }
    }
}
