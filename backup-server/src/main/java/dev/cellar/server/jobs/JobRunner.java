package dev.cellar.server.jobs;

import dev.cellar.server.http.ApiError;
import dev.cellar.server.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the nightly chain's jobs and records every run, whether the schedule or an admin started it. A job that
 * throws is recorded as failed and the chain goes on with the next one. On one instance a job never runs twice at
 * once; across instances the jobs themselves are safe to overlap.
 */
public final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private final Map<String, NightlyJob> jobs = new LinkedHashMap<>();
    private final Map<String, ReentrantLock> running = new LinkedHashMap<>();
    private final JobRuns runs;
    private final Clock clock;
    private final String instance;
    private final Metrics metrics;

    /** @param chain the jobs in the order the nightly firing runs them */
    public JobRunner(List<NightlyJob> chain, JobRuns runs, Clock clock, String instance) {
        this(chain, runs, clock, instance, Metrics.NONE);
    }

    public JobRunner(List<NightlyJob> chain, JobRuns runs, Clock clock, String instance, Metrics metrics) {
        this.metrics = metrics;
        for (NightlyJob job : chain) {
            if (jobs.put(job.name(), job) != null) {
                throw new IllegalArgumentException("two jobs named " + job.name());
            }
            running.put(job.name(), new ReentrantLock());
        }
        this.runs = runs;
        this.clock = clock;
        this.instance = instance;
    }

    public List<String> names() {
        return List.copyOf(jobs.keySet());
    }

    public JobRuns runs() {
        return runs;
    }

    /** Runs every job in order for the firing scheduled at {@code scheduledFor}. */
    public void runChain(Instant scheduledFor) {
        log.info("event=chain.started scheduledFor={} instance={}", scheduledFor, instance);
        for (NightlyJob job : jobs.values()) {
            ReentrantLock lock = running.get(job.name());
            lock.lock(); // an admin's run of the same job finishes first
            try {
                run(job, JobRun.SCHEDULE, scheduledFor);
            } finally {
                lock.unlock();
            }
        }
        log.info("event=chain.finished scheduledFor={} instance={}", scheduledFor, instance);
    }

    /**
     * Runs one job now, for an admin.
     *
     * @throws ApiError 404 for an unknown job, 409 when this instance is running it already
     */
    public JobRun runNow(String name) {
        NightlyJob job = jobs.get(name);
        if (job == null) {
            throw ApiError.notFound("no job " + name + "; jobs: " + String.join(", ", jobs.keySet()));
        }
        ReentrantLock lock = running.get(name);
        if (!lock.tryLock()) {
            throw ApiError.conflict("already_running", "job " + name + " is running on this instance; "
                    + "see GET /api/v1/jobs when it ends");
        }
        try {
            return run(job, JobRun.ADMIN, null);
        } finally {
            lock.unlock();
        }
    }

    private JobRun run(NightlyJob job, String trigger, Instant scheduledFor) {
        Instant started = clock.instant();
        log.info("event=job.started job={} trigger={} instance={}", job.name(), trigger, instance);
        JobReport report;
        try {
            report = job.runOnce();
        } catch (RuntimeException e) {
            log.error("event=job.crashed job={} instance={}", job.name(), instance, e);
            report = new JobReport(Map.of(), List.of("the job could not run: " + e));
        }
        Instant finished = clock.instant();
        JobRun run = new JobRun(job.name(), trigger, scheduledFor, started, finished, report.outcome(),
                report.counts(), report.errors(), instance);
        metrics.jobFinished(run);
        try {
            runs.record(run);
        } catch (RuntimeException e) {
            log.error("event=job.unrecorded job={} instance={} error=\"{}\"", job.name(), instance, e.getMessage());
        }
        log.info("event=job.finished job={} trigger={} outcome={} ms={} counts={} errors={}", job.name(), trigger,
                run.outcome(), Duration.between(started, finished).toMillis(), report.counts(),
                report.errors().size());
        return run;
    }
}
