package dev.cellar.server.jobs;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** The Quartz job of the nightly firing: a thin shell around {@link JobRunner#runChain}. */
@DisallowConcurrentExecution
public final class ChainFiring implements Job {
    static final String RUNNER = "cellar.runner";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            JobRunner runner = (JobRunner) context.getScheduler().getContext().get(RUNNER);
            runner.runChain(context.getScheduledFireTime().toInstant());
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
